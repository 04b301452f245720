// Integer expressions for block templates ("${cin*6}", when: "stride == 1 && cin == cout").
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mixq::workloads::detail {

using Variables = std::map<std::string, std::int64_t, std::less<>>;

// Thrown with a message only; the loader adds the file, line and key path.
struct ExprError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Grammar (C precedence): or := and ('||' and)*; and := cmp ('&&' cmp)*;
// cmp := sum (('=='|'!='|'<'|'<='|'>'|'>=') sum)?; sum := term (('+'|'-') term)*;
// term := unary (('*'|'/'|'%') unary)*; unary := ('-'|'!') unary | atom;
// atom := integer | name | '(' or ')'. Division floors; division by zero is an error.
[[nodiscard]] std::int64_t evaluate(std::string_view text, const Variables& vars);

}  // namespace mixq::workloads::detail
