#include "hash.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace stepwise::dsl::internal {
namespace {

// ---- Shared plumbing ------------------------------------------------------------------------

// The Merkle-Damgard padding all five algorithms share: a 0x80 byte, zeros up to `length_bytes`
// short of a block boundary, then the message length in bits. MD5 writes that length
// little-endian, the SHA family big-endian. Inputs are small, so copying them is fine.
std::string Pad(std::string_view data, size_t block_size, size_t length_bytes, bool big_endian) {
  std::string out(data);
  out.push_back(static_cast<char>(0x80));
  while ((out.size() + length_bytes) % block_size != 0) out.push_back('\0');
  const uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  std::string length(length_bytes, '\0');
  for (size_t i = 0; i < 8; ++i) {
    char byte = static_cast<char>((bits >> (8 * i)) & 0xff);
    length[big_endian ? length_bytes - 1 - i : i] = byte;
  }
  return out + length;
}

uint32_t LoadLe32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

uint32_t LoadBe32(const unsigned char* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

uint64_t LoadBe64(const unsigned char* p) { return uint64_t{LoadBe32(p)} << 32 | LoadBe32(p + 4); }

void AppendLe32(uint32_t value, std::string& out) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

void AppendBe32(uint32_t value, std::string& out) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>(value >> (8 * i)));
}

void AppendBe64(uint64_t value, std::string& out) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(value >> (8 * i)));
}

const unsigned char* Bytes(const std::string& s, size_t offset) {
  return reinterpret_cast<const unsigned char*>(s.data()) + offset;
}

// ---- SHA-2 constants, derived rather than transcribed ---------------------------------------
//
// SHA-256 and SHA-512 use the fractional parts of the square and cube roots of the first primes
// (SHA-256's 32-bit constants are the top halves of SHA-512's 64-bit ones). Deriving them exactly
// means no typo can hide in a table of 96 hexadecimal numbers; the test vectors pin the result.
// They are computed once, at first use: as constexpr they would exceed the compiler's budget.

// An unsigned integer of up to 256 bits as four little-endian 64-bit limbs: just enough
// arithmetic for exact integer roots.
using Wide = std::array<uint64_t, 4>;

Wide Multiply(const Wide& a, const Wide& b) {
  Wide product{};
  for (size_t i = 0; i < 4; ++i) {
    unsigned __int128 carry = 0;
    for (size_t j = 0; i + j < 4; ++j) {
      unsigned __int128 current =
          static_cast<unsigned __int128>(a[i]) * b[j] + product[i + j] + carry;
      product[i + j] = static_cast<uint64_t>(current);
      carry = current >> 64;
    }
  }
  return product;
}

bool LessOrEqual(const Wide& a, const Wide& b) {
  for (size_t i = 4; i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return true;
}

// The first 64 bits of the fractional part of n^(1/degree): floor(root(n * 2^(64 * degree)))
// modulo 2^64, found bit by bit from the top. The roots of the primes used are below 8, so the
// integer root has at most 67 bits and its cube at most 201.
uint64_t RootFractionBits(uint64_t n, int degree) {
  Wide target{};
  target[static_cast<size_t>(degree)] = n;
  Wide root{};
  for (int bit = 67; bit >= 0; --bit) {
    Wide candidate = root;
    candidate[static_cast<size_t>(bit / 64)] |= uint64_t{1} << (bit % 64);
    Wide power = candidate;
    for (int i = 1; i < degree; ++i) power = Multiply(power, candidate);
    if (LessOrEqual(power, target)) root = candidate;
  }
  return root[0];
}

struct Sha2Constants {
  std::array<uint64_t, 80> round{};          // cube roots of the first 80 primes
  std::array<uint64_t, 8> sha512_initial{};  // square roots of the first 8 primes
  std::array<uint64_t, 8> sha384_initial{};  // square roots of the 9th to 16th primes
};

const Sha2Constants& Sha2() {
  static const Sha2Constants constants = [] {
    std::vector<uint64_t> primes;
    for (uint64_t candidate = 2; primes.size() < 80; ++candidate) {
      bool prime = true;
      for (uint64_t p : primes) {
        if (p * p > candidate) break;
        if (candidate % p == 0) prime = false;
      }
      if (prime) primes.push_back(candidate);
    }
    Sha2Constants c;
    for (size_t i = 0; i < 80; ++i) c.round[i] = RootFractionBits(primes[i], 3);
    for (size_t i = 0; i < 8; ++i) {
      c.sha512_initial[i] = RootFractionBits(primes[i], 2);
      c.sha384_initial[i] = RootFractionBits(primes[8 + i], 2);
    }
    return c;
  }();
  return constants;
}

// ---- MD5 (RFC 1321) -------------------------------------------------------------------------

// RFC 1321 defines the table as floor(|sin(i + 1)| * 2^32); doubles compute it exactly, and
// std::sin is not constexpr, so it is built once at first use.
const std::array<uint32_t, 64>& Md5SineTable() {
  static const std::array<uint32_t, 64> table = [] {
    std::array<uint32_t, 64> t{};
    for (size_t i = 0; i < t.size(); ++i) {
      t[i] = static_cast<uint32_t>(
          std::floor(std::fabs(std::sin(static_cast<double>(i + 1))) * 4294967296.0));
    }
    return t;
  }();
  return table;
}

constexpr int kMd5Shifts[4][4] = {
    {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

std::string Md5(std::string_view data) {
  const auto& k = Md5SineTable();
  uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  const std::string padded = Pad(data, 64, 8, /*big_endian=*/false);
  for (size_t block = 0; block < padded.size(); block += 64) {
    uint32_t m[16];
    for (size_t i = 0; i < 16; ++i) m[i] = LoadLe32(Bytes(padded, block + 4 * i));
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (size_t i = 0; i < 64; ++i) {
      uint32_t f;
      size_t g;
      switch (i / 16) {
        case 0:
          f = (b & c) | (~b & d);
          g = i;
          break;
        case 1:
          f = (d & b) | (~d & c);
          g = (5 * i + 1) % 16;
          break;
        case 2:
          f = b ^ c ^ d;
          g = (3 * i + 5) % 16;
          break;
        default:
          f = c ^ (b | ~d);
          g = (7 * i) % 16;
          break;
      }
      const uint32_t rotated = std::rotl(a + f + k[i] + m[g], kMd5Shifts[i / 16][i % 4]);
      a = d;
      d = c;
      c = b;
      b += rotated;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
  }
  std::string digest;
  for (uint32_t word : h) AppendLe32(word, digest);
  return digest;
}

// ---- SHA-1 (FIPS 180-4) ---------------------------------------------------------------------

std::string Sha1(std::string_view data) {
  uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  const std::string padded = Pad(data, 64, 8, /*big_endian=*/true);
  uint32_t w[80];
  for (size_t block = 0; block < padded.size(); block += 64) {
    for (size_t i = 0; i < 16; ++i) w[i] = LoadBe32(Bytes(padded, block + 4 * i));
    for (size_t i = 16; i < 80; ++i) {
      w[i] = std::rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (size_t i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const uint32_t next = std::rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = std::rotl(b, 30);
      b = a;
      a = next;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  std::string digest;
  for (uint32_t word : h) AppendBe32(word, digest);
  return digest;
}

// ---- SHA-256 (FIPS 180-4) -------------------------------------------------------------------

std::string Sha256(std::string_view data) {
  const Sha2Constants& constants = Sha2();
  uint32_t h[8];
  for (size_t i = 0; i < 8; ++i) h[i] = static_cast<uint32_t>(constants.sha512_initial[i] >> 32);
  const std::string padded = Pad(data, 64, 8, /*big_endian=*/true);
  uint32_t w[64];
  for (size_t block = 0; block < padded.size(); block += 64) {
    for (size_t i = 0; i < 16; ++i) w[i] = LoadBe32(Bytes(padded, block + 4 * i));
    for (size_t i = 16; i < 64; ++i) {
      const uint32_t s0 = std::rotr(w[i - 15], 7) ^ std::rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const uint32_t s1 = std::rotr(w[i - 2], 17) ^ std::rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (size_t i = 0; i < 64; ++i) {
      const uint32_t sum1 = std::rotr(e, 6) ^ std::rotr(e, 11) ^ std::rotr(e, 25);
      const uint32_t choose = (e & f) ^ (~e & g);
      const uint32_t t1 =
          hh + sum1 + choose + static_cast<uint32_t>(constants.round[i] >> 32) + w[i];
      const uint32_t sum0 = std::rotr(a, 2) ^ std::rotr(a, 13) ^ std::rotr(a, 22);
      const uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
      const uint32_t t2 = sum0 + majority;
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  std::string digest;
  for (uint32_t word : h) AppendBe32(word, digest);
  return digest;
}

// ---- SHA-512 and SHA-384 (FIPS 180-4) -------------------------------------------------------

// SHA-384 is SHA-512 with other initial values, truncated to 48 bytes.
std::string Sha512Family(std::string_view data, const std::array<uint64_t, 8>& initial,
                         size_t digest_bytes) {
  const Sha2Constants& constants = Sha2();
  std::array<uint64_t, 8> h = initial;
  const std::string padded = Pad(data, 128, 16, /*big_endian=*/true);
  uint64_t w[80];
  for (size_t block = 0; block < padded.size(); block += 128) {
    for (size_t i = 0; i < 16; ++i) w[i] = LoadBe64(Bytes(padded, block + 8 * i));
    for (size_t i = 16; i < 80; ++i) {
      const uint64_t s0 = std::rotr(w[i - 15], 1) ^ std::rotr(w[i - 15], 8) ^ (w[i - 15] >> 7);
      const uint64_t s1 = std::rotr(w[i - 2], 19) ^ std::rotr(w[i - 2], 61) ^ (w[i - 2] >> 6);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (size_t i = 0; i < 80; ++i) {
      const uint64_t sum1 = std::rotr(e, 14) ^ std::rotr(e, 18) ^ std::rotr(e, 41);
      const uint64_t choose = (e & f) ^ (~e & g);
      const uint64_t t1 = hh + sum1 + choose + constants.round[i] + w[i];
      const uint64_t sum0 = std::rotr(a, 28) ^ std::rotr(a, 34) ^ std::rotr(a, 39);
      const uint64_t majority = (a & b) ^ (a & c) ^ (b & c);
      const uint64_t t2 = sum0 + majority;
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  std::string digest;
  for (uint64_t word : h) AppendBe64(word, digest);
  digest.resize(digest_bytes);
  return digest;
}

}  // namespace

std::optional<HashAlgorithm> HashAlgorithmNamed(std::string_view name) {
  if (name == "MD5") return HashAlgorithm::kMd5;
  if (name == "SHA-1") return HashAlgorithm::kSha1;
  if (name == "SHA-256") return HashAlgorithm::kSha256;
  if (name == "SHA-384") return HashAlgorithm::kSha384;
  if (name == "SHA-512") return HashAlgorithm::kSha512;
  return std::nullopt;
}

const std::vector<std::string_view>& HashAlgorithmNames() {
  static const std::vector<std::string_view> names = {"MD5", "SHA-1", "SHA-256", "SHA-384",
                                                      "SHA-512"};
  return names;
}

std::string Digest(HashAlgorithm algorithm, std::string_view data) {
  switch (algorithm) {
    case HashAlgorithm::kMd5:
      return Md5(data);
    case HashAlgorithm::kSha1:
      return Sha1(data);
    case HashAlgorithm::kSha256:
      return Sha256(data);
    case HashAlgorithm::kSha384:
      return Sha512Family(data, Sha2().sha384_initial, 48);
    case HashAlgorithm::kSha512:
      return Sha512Family(data, Sha2().sha512_initial, 64);
  }
  return {};
}

std::string HexDigest(HashAlgorithm algorithm, std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : Digest(algorithm, data)) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0x0f]);
  }
  return hex;
}

}  // namespace stepwise::dsl::internal
