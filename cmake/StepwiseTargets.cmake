# Flags every Stepwise target gets. Warnings are errors on our code only: generated protobuf
# sources and third-party headers are compiled without -Werror (see api/CMakeLists.txt).
function(stepwise_strict_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()

if(STEPWISE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
