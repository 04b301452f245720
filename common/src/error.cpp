#include "mixq/common/error.hpp"

namespace mixq {

std::string SourceLocation::to_string() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  if (!key_path.empty()) out += ": key '" + key_path + "'";
  return out;
}

InputError::InputError(Kind kind, SourceLocation where, const std::string& message)
    : Error(where.to_string() + ": " + message),
      kind_(kind),
      where_(std::move(where)),
      message_(message) {}

const char* to_string(InputError::Kind kind) noexcept {
  switch (kind) {
    case InputError::Kind::kSyntax: return "syntax";
    case InputError::Kind::kUnknownKey: return "unknown key";
    case InputError::Kind::kMissingKey: return "missing key";
    case InputError::Kind::kType: return "type";
    case InputError::Kind::kValue: return "value";
    case InputError::Kind::kGraph: return "graph";
    case InputError::Kind::kNotFound: return "not found";
  }
  return "input";
}

}  // namespace mixq
