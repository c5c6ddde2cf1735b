# Warnings every genq target gets; GENQ_WERROR turns them into errors (CI builds).
add_library(genq_warnings INTERFACE)
target_compile_options(genq_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
  -Wnon-virtual-dtor -Wno-missing-field-initializers)
if(GENQ_WERROR)
  target_compile_options(genq_warnings INTERFACE -Werror)
endif()
