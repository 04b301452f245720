# Every dependency is a Debian package (scripts/install-deps installs them). Found here once,
# so that modules only name the imported targets they use.
find_package(PkgConfig REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS graph)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(Threads REQUIRED)
if(MIXQ_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)
endif()
if(MIXQ_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# yaml-cpp 0.7 on Debian exports the plain target name `yaml-cpp`.
if(NOT TARGET yaml-cpp::yaml-cpp)
  add_library(yaml-cpp::yaml-cpp INTERFACE IMPORTED)
  target_link_libraries(yaml-cpp::yaml-cpp INTERFACE yaml-cpp)
endif()

if(MIXQ_BUILD_PYTHON)
  # Debian's interpreter, whatever `python3` comes first on PATH (pyenv shims, venvs).
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python the module is built for")
  find_package(Python3 REQUIRED COMPONENTS Interpreter Development.Module)
  set(PYBIND11_FINDPYTHON ON)
  find_package(pybind11 2.10 CONFIG REQUIRED)
endif()
# The training engine (explorer/train): Eigen for its GEMMs, zlib for gzip IDX data.
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(ZLIB REQUIRED)
