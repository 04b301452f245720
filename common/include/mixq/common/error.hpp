// Typed errors shared by every module. The library never prints or exits: bad input becomes
// one of these, carrying where it came from so that a user can fix the file.
#pragma once

#include <stdexcept>
#include <string>

namespace mixq {

// Where a piece of input came from. `line` and `column` are 1-based; 0 means unknown (for
// example a value built in code or given with --set on the command line).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key_path;  // dotted path from the document root, e.g. "layers[3].stride"

  [[nodiscard]] std::string to_string() const;
};

// Base of every error mixq throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad user input: a file that does not parse, an unknown key, a value of the wrong type or
// out of range, an inconsistent graph. what() reads "file:line:col: key 'path': message".
class InputError : public Error {
 public:
  enum class Kind {
    kSyntax,       // the YAML itself is malformed
    kUnknownKey,   // a key the schema does not declare
    kMissingKey,   // a required key is absent
    kType,         // a value of the wrong type
    kValue,        // a value of the right type but out of range or inconsistent
    kGraph,        // cycle, dangling tensor, shape mismatch between layers
    kNotFound,     // a named preset or file that does not exist
  };

  InputError(Kind kind, SourceLocation where, const std::string& message);

  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  [[nodiscard]] const SourceLocation& where() const noexcept { return where_; }
  [[nodiscard]] const std::string& message() const noexcept { return message_; }

 private:
  Kind kind_;
  SourceLocation where_;
  std::string message_;
};

[[nodiscard]] const char* to_string(InputError::Kind kind) noexcept;

}  // namespace mixq
