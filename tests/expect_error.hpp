// The typed error an input must raise, for tests of rejected inputs.
#pragma once

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "mixq/common/error.hpp"

namespace mixq::test {

// The InputError that `load()` raises; fails the test, showing `input`, when it raises none.
template <class Load>
InputError input_error_of(Load&& load, const std::string& input) {
  try {
    (void)load();
  } catch (const InputError& e) {
    return e;
  }
  FAIL("no error for:\n" << input);
  throw std::logic_error("unreachable");
}

}  // namespace mixq::test
