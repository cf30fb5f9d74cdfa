# Flags every Stepwise target gets. Warnings are errors on our code only: generated protobuf
# sources and third-party headers are compiled without -Werror (see api/CMakeLists.txt).
function(stepwise_strict_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
  # GCC 12 at -O3 (Release) reports `"literal" + std::string` as an overlapping memcpy: a known
  # false positive (GCC bug 105329), not a finding in our code.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
endfunction()

if(STEPWISE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
