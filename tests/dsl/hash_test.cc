// Known-answer tests for our own MD5, SHA-1, SHA-256, SHA-384 and SHA-512: the FIPS 180 and
// RFC 1321 examples, inputs around every padding boundary (55/56 and 111/112 bytes are where the
// length field stops fitting in the last block), and a million 'a's.

#include "../../dsl/src/hash.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace stepwise::dsl::internal {
namespace {

constexpr std::string_view kTwoBlocks448 =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnomnopnopq";
constexpr std::string_view kTwoBlocks896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnop"
    "qrsmnopqrstnopqrstu";
constexpr std::string_view kFox = "The quick brown fox jumps over the lazy dog";

struct Vector {
  HashAlgorithm algorithm;
  std::string_view input;
  std::string_view hex;
};

TEST(HashTest, MatchesPublishedVectorsForAllAlgorithms) {
  const std::vector<Vector> vectors = {
      {HashAlgorithm::kMd5, "", "d41d8cd98f00b204e9800998ecf8427e"},
      {HashAlgorithm::kSha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
      {HashAlgorithm::kSha256, "",
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {HashAlgorithm::kSha384, "",
       "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
       "274edebfe76f65fbd51ad2f14898b95b"},
      {HashAlgorithm::kSha512, "",
       "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
       "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
      {HashAlgorithm::kMd5, "abc", "900150983cd24fb0d6963f7d28e17f72"},
      {HashAlgorithm::kSha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
      {HashAlgorithm::kSha256, "abc",
       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {HashAlgorithm::kSha384, "abc",
       "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
       "8086072ba1e7cc2358baeca134c825a7"},
      {HashAlgorithm::kSha512, "abc",
       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
      {HashAlgorithm::kMd5, kTwoBlocks448, "320d1c06ba535f4e8a8ef92f6efbc706"},
      {HashAlgorithm::kSha1, kTwoBlocks448, "e0e8b455e838f433338cdf41a540a98fbc5d5142"},
      {HashAlgorithm::kSha256, kTwoBlocks448,
       "fc6efa49c0058126cdfee45d4507753351d8e77e1cf7505b63db3831a6d46da3"},
      {HashAlgorithm::kSha384, kTwoBlocks448,
       "1eb7b737a4db09969c068707d6ed8c7b4ef4b03c6fe16e9f5f6c0ca366f22346"
       "15afc39cc0221ff515b82a6a65db440f"},
      {HashAlgorithm::kSha512, kTwoBlocks448,
       "7d380e4bcc209b042d5f4b0c3799f9b69f1389353ff51f75d849ae7e5eb02c28"
       "88bd5115b9f8e014f8ecca4f647b867a1c026d4801d5bf4af793b571ec2038b3"},
      {HashAlgorithm::kMd5, kTwoBlocks896, "03dd8807a93175fb062dfb55dc7d359c"},
      {HashAlgorithm::kSha1, kTwoBlocks896, "a49b2446a02c645bf419f995b67091253a04a259"},
      {HashAlgorithm::kSha256, kTwoBlocks896,
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
      {HashAlgorithm::kSha384, kTwoBlocks896,
       "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712"
       "fcc7c71a557e2db966c3e9fa91746039"},
      {HashAlgorithm::kSha512, kTwoBlocks896,
       "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
       "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"},
      {HashAlgorithm::kMd5, kFox, "9e107d9d372bb6826bd81d3542a419d6"},
      {HashAlgorithm::kSha1, kFox, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"},
      {HashAlgorithm::kSha256, kFox,
       "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"},
      {HashAlgorithm::kSha384, kFox,
       "ca737f1014a48f4c0b6dd43cb177b0afd9e5169367544c494011e3317dbf9a50"
       "9cb1e5dc1e85a941bbee3d7f2afbc9b1"},
      {HashAlgorithm::kSha512, kFox,
       "07e547d9586f6a73f73fbac0435ed76951218fb7d0c8d788a309d785436bbb64"
       "2e93a252a954f23912547d1e8a3b5ed6e1bfd7097821233fa0538f3db854fee6"},
  };
  for (const Vector& v : vectors) {
    EXPECT_EQ(HexDigest(v.algorithm, v.input), v.hex) << "input: '" << v.input << "'";
  }
}

struct LengthVector {
  HashAlgorithm algorithm;
  size_t length;  // of a string of 'a's
  std::string_view hex;
};

TEST(HashTest, PadsCorrectlyAroundBlockBoundaries) {
  const std::vector<LengthVector> vectors = {
      {HashAlgorithm::kMd5, 55, "ef1772b6dff9a122358552954ad0df65"},
      {HashAlgorithm::kSha1, 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"},
      {HashAlgorithm::kSha256, 55,
       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {HashAlgorithm::kSha384, 55,
       "5d91ac7e74e62b5c728904b40f10784d66b7af9cb6302123e48c92f0432ceb8d"
       "2a92c02de77dcb29ed75c4b42bde46f4"},
      {HashAlgorithm::kSha512, 55,
       "b0220c772cbf6c1822e2cb38a437d0e1d58772417a4bbb21c961364f8b6143e0"
       "5aa6316dca8d1d7b19e16448419076395f6086cb55101fbd6d5497b148e1745f"},
      {HashAlgorithm::kMd5, 56, "3b0c8ac703f828b04c6c197006d17218"},
      {HashAlgorithm::kSha1, 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"},
      {HashAlgorithm::kSha256, 56,
       "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {HashAlgorithm::kSha384, 56,
       "8a8d9649ea04e993a6ca7135af7e3392cc5fca84f8531cac7aa3feed4eb98f55"
       "dcbe0f3284b61c6f35f98b02cc644b4c"},
      {HashAlgorithm::kSha512, 56,
       "962b64aae357d2a4fee3ded8b539bdc9d325081822b0bfc55583133aab44f18b"
       "afe11d72a7ae16c79ce2ba620ae2242d5144809161945f1367f41b3972e26e04"},
      {HashAlgorithm::kMd5, 63, "b06521f39153d618550606be297466d5"},
      {HashAlgorithm::kSha1, 63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"},
      {HashAlgorithm::kSha256, 63,
       "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {HashAlgorithm::kSha384, 63,
       "7e7f097e95b52bb8f53383450ecaf9868187c130981730c03b6d573adfc0b991"
       "e365244e5b4bfa082bfb43c517d37120"},
      {HashAlgorithm::kSha512, 63,
       "c1b0f5c6d3b03dfe4a2602e67242f54e344090b66e01100a469b129f583f016c"
       "7e27dddeaa438393dcc7ec54b0b57c9ba7af007f9b56db5f6fb677d972a31362"},
      {HashAlgorithm::kMd5, 64, "014842d480b571495a4a0363793f7367"},
      {HashAlgorithm::kSha1, 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"},
      {HashAlgorithm::kSha256, 64,
       "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {HashAlgorithm::kSha384, 64,
       "2e404b9339da795776e510d96930b3be2904c500395b8cb7413334b82d4dec41"
       "3b4b8113045a05bbbcff846f027423f6"},
      {HashAlgorithm::kSha512, 64,
       "01d35c10c6c38c2dcf48f7eebb3235fb5ad74a65ec4cd016e2354c637a8fb49b"
       "695ef3c1d6f7ae4cd74d78cc9c9bcac9d4f23a73019998a7f73038a5c9b2dbde"},
      {HashAlgorithm::kMd5, 111, "089f243d1e831c5879aa375ee364a06e"},
      {HashAlgorithm::kSha1, 111, "ac877859d427d9192054eea8feb3b8a403ef83a5"},
      {HashAlgorithm::kSha256, 111,
       "6374f73208854473827f6f6a3f43b1f53eaa3b82c21c1a6d69a2110b2a79baad"},
      {HashAlgorithm::kSha384, 111,
       "3c37955051cb5c3026f94d551d5b5e2ac38d572ae4e07172085fed81f8466b8f"
       "90dc23a8ffcdea0b8d8e58e8fdacc80a"},
      {HashAlgorithm::kSha512, 111,
       "fa9121c7b32b9e01733d034cfc78cbf67f926c7ed83e82200ef8681819692176"
       "0b4beff48404df811b953828274461673c68d04e297b0eb7b2b4d60fc6b566a2"},
      {HashAlgorithm::kMd5, 112, "9146ef3527c7cfcc66dc615c3986e391"},
      {HashAlgorithm::kSha1, 112, "689993727ba37386bb032495e9dbdfb4dd1ba744"},
      {HashAlgorithm::kSha256, 112,
       "f54353008a2553262ecdc4a34749563ba0950e8b0fc8652780b0a614b99683c1"},
      {HashAlgorithm::kSha384, 112,
       "187d4e07cb306103c69967bf544d0dfbe9042577599c73c330abc0cb64c61236"
       "d5ed565ee19119d8c31779a38f791fcd"},
      {HashAlgorithm::kSha512, 112,
       "c01d080efd492776a1c43bd23dd99d0a2e626d481e16782e75d54c2503b5dc32"
       "bd05f0f1ba33e568b88fd2d970929b719ecbb152f58f130a407c8830604b70ca"},
      {HashAlgorithm::kMd5, 127, "020406e1d05cdc2aa287641f7ae2cc39"},
      {HashAlgorithm::kSha1, 127, "89d95fa32ed44a7c610b7ee38517ddf57e0bb975"},
      {HashAlgorithm::kSha256, 127,
       "c57e9278af78fa3cab38667bef4ce29d783787a2f731d4e12200270f0c32320a"},
      {HashAlgorithm::kSha384, 127,
       "9bd06b1763c2cf7aef40e795dc65bc96d59c41b537f3ad72ebdefd485476b571"
       "7c1aeb37c327fe9c1831b12b9efd08ae"},
      {HashAlgorithm::kSha512, 127,
       "828613968b501dc00a97e08c73b118aa8876c26b8aac93df128502ab360f91ba"
       "b50a51e088769a5c1eff4782ace147dce3642554199876374291f5d921629502"},
      {HashAlgorithm::kMd5, 128, "e510683b3f5ffe4093d021808bc6ff70"},
      {HashAlgorithm::kSha1, 128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0"},
      {HashAlgorithm::kSha256, 128,
       "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"},
      {HashAlgorithm::kSha384, 128,
       "edb12730a366098b3b2beac75a3bef1b0969b15c48e2163c23d96994f8d1bef7"
       "60c7e27f3c464d3829f56c0d53808b0b"},
      {HashAlgorithm::kSha512, 128,
       "b73d1929aa615934e61a871596b3f3b33359f42b8175602e89f7e06e5f658a24"
       "3667807ed300314b95cacdd579f3e33abdfbe351909519a846d465c59582f321"},
  };
  for (const LengthVector& v : vectors) {
    EXPECT_EQ(HexDigest(v.algorithm, std::string(v.length, 'a')), v.hex)
        << v.length << " bytes, algorithm " << static_cast<int>(v.algorithm);
  }
}

TEST(HashTest, HashesAMillionBytesAcrossManyBlocks) {
  struct MillionVector {
    HashAlgorithm algorithm;
    std::string_view hex;
  };
  const std::vector<MillionVector> vectors = {
      {HashAlgorithm::kMd5, "7707d6ae4e027c70eea2a935c2296f21"},
      {HashAlgorithm::kSha1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
      {HashAlgorithm::kSha256, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
      {HashAlgorithm::kSha384,
       "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b"
       "07b8b3dc38ecc4ebae97ddd87f3d8985"},
      {HashAlgorithm::kSha512,
       "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
       "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"},
  };
  const std::string million(1000000, 'a');
  for (const MillionVector& v : vectors) {
    EXPECT_EQ(HexDigest(v.algorithm, million), v.hex) << static_cast<int>(v.algorithm);
  }
}

TEST(HashTest, Md5MatchesTheRfc1321TestSuite) {
  const std::vector<std::pair<std::string_view, std::string_view>> vectors = {
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
       "opqrstuvwxyz0123456789",
       "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"1234567890123456789012345678901234567890"
       "1234567890123456789012345678901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  for (const auto& [input, hex] : vectors) {
    EXPECT_EQ(HexDigest(HashAlgorithm::kMd5, input), hex) << input;
  }
}

TEST(HashTest, DigestLengthsAreTheAlgorithmsOutputSizes) {
  EXPECT_EQ(Digest(HashAlgorithm::kMd5, "x").size(), 16u);
  EXPECT_EQ(Digest(HashAlgorithm::kSha1, "x").size(), 20u);
  EXPECT_EQ(Digest(HashAlgorithm::kSha256, "x").size(), 32u);
  EXPECT_EQ(Digest(HashAlgorithm::kSha384, "x").size(), 48u);
  EXPECT_EQ(Digest(HashAlgorithm::kSha512, "x").size(), 64u);
}

TEST(HashTest, HashesBytesIncludingNulAndHighBytes) {
  const std::string bytes("\0\x80\xff\x01", 4);
  EXPECT_EQ(HexDigest(HashAlgorithm::kSha256, bytes),
            "cfe2a57fb25cf3772b5ac499ea03caba2f066a396b1e52d3743f8a205de41f19");
  EXPECT_EQ(HexDigest(HashAlgorithm::kMd5, bytes), "5d060357c40ea991af03173b174ede19");
}

TEST(HashTest, KnowsTheNamesStatesHashAccepts) {
  EXPECT_EQ(HashAlgorithmNamed("MD5"), HashAlgorithm::kMd5);
  EXPECT_EQ(HashAlgorithmNamed("SHA-1"), HashAlgorithm::kSha1);
  EXPECT_EQ(HashAlgorithmNamed("SHA-256"), HashAlgorithm::kSha256);
  EXPECT_EQ(HashAlgorithmNamed("SHA-384"), HashAlgorithm::kSha384);
  EXPECT_EQ(HashAlgorithmNamed("SHA-512"), HashAlgorithm::kSha512);
  EXPECT_EQ(HashAlgorithmNamed("sha-256"), std::nullopt);
  EXPECT_EQ(HashAlgorithmNamed("SHA256"), std::nullopt);
  EXPECT_EQ(HashAlgorithmNamed(""), std::nullopt);
  EXPECT_EQ(HashAlgorithmNames().size(), 5u);
}

}  // namespace
}  // namespace stepwise::dsl::internal
