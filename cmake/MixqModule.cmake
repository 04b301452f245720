# mixq_add_module(NAME SOURCES ... [DEPS ...]): one static library per module, exposed as
# mixq::NAME, with its public headers under NAME/include/mixq/NAME.
function(mixq_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                           -Wnon-virtual-dtor -Woverloaded-virtual)
  # GCC 12 at -O3 reports -Wrestrict on ordinary std::string concatenation (GCC bug 105651,
  # a false positive inside libstdc++); keep the warning on other compilers.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(MIXQ_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Catch2's, CLI11's and SystemC's headers take most of the compile time of the units that
# include them (seconds each, on every test file and command); a per-target precompiled
# header parses them once. MIXQ_PCH=OFF compiles without (e.g. to check that every unit
# includes what it uses).
function(mixq_precompile target)
  if(MIXQ_PCH)
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()

# The CLI, the Python module and the test programs are many thin units over the same
# template-heavy headers (CLI11, nlohmann-json, pybind11, Catch2): compiled one by one, each
# instantiates and optimizes the same templates again. Unity batches (CMake's UNITY_BUILD, 8
# files a batch) do it once per batch: the CLI's 12 units took 190 s of CPU one by one and 55 s
# as one batch (Release, docs/PERFORMANCE.md). The libraries stay one unit per file: their
# files are the one-concept-per-file registrations, and an edit there rebuilds one file.
# MIXQ_UNITY=OFF compiles every file alone (with MIXQ_PCH=OFF: checks that each includes
# what it uses).
function(mixq_unity target)
  if(MIXQ_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON)
  endif()
endfunction()

function(mixq_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(mixq_${name} STATIC ${ARG_SOURCES})
  add_library(mixq::${name} ALIAS mixq_${name})
  target_include_directories(mixq_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  target_link_libraries(mixq_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_target_properties(mixq_${name} PROPERTIES OUTPUT_NAME mixq_${name}
                                                EXPORT_NAME ${name}
                                                POSITION_INDEPENDENT_CODE ON)
  mixq_warnings(mixq_${name})
  # Installed as mixq::NAME for find_package(mixq) users (cmake/MixqInstall.cmake).
  install(TARGETS mixq_${name} EXPORT mixqTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()
