# ASan + UBSan for the sanitizer test configuration (make test builds it in build-asan/).
if(GENQ_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
