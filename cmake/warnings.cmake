# Warnings every genq target gets; GENQ_WERROR turns them into errors (CI builds).
add_library(genq_warnings INTERFACE)
target_compile_options(genq_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
  -Wnon-virtual-dtor -Wno-missing-field-initializers)
# g++ 12 reports false -Warray-bounds/-Wrestrict/-Wstringop-overflow inside
# libstdc++'s std::string at -O2 (GCC bugs 105329, 105651); they are not ours.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(genq_warnings INTERFACE -Wno-array-bounds -Wno-restrict -Wno-stringop-overflow)
endif()
if(GENQ_WERROR)
  target_compile_options(genq_warnings INTERFACE -Werror)
endif()
