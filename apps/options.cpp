#include "options.hpp"

namespace mixq::cli {

void PrecisionOptions::add_to(CLI::App* cmd) {
  auto* bits_opt = cmd->add_option("--bits", bits, "Uniform precision, e.g. w4a4 (default w8a8)");
  auto* file_opt = cmd->add_option("--assignment", assignment, "Precision assignment YAML file")
                       ->check(CLI::ExistingFile);
  bits_opt->excludes(file_opt);
  cmd->add_option("--first-last", first_last,
                  "Precision of the first and last weighted layers, e.g. w8a8");
}

workloads::PrecisionAssignment PrecisionOptions::resolve(const workloads::Network& net) const {
  workloads::PrecisionAssignment a;
  if (!assignment.empty()) {
    a = workloads::load_assignment(assignment, net);
  } else {
    const SourceLocation where{"--bits", 0, 0, ""};
    a = workloads::PrecisionAssignment::uniform(
        net, bits.empty() ? workloads::Bits{8, 8} : workloads::parse_bits(bits, where));
  }
  if (!first_last.empty()) {
    const auto edge = workloads::parse_bits(first_last, SourceLocation{"--first-last", 0, 0, ""});
    const auto weighted = net.weighted_layers();
    if (!weighted.empty()) {
      a.set(net, weighted.front(), edge);
      a.set(net, weighted.back(), edge);
    }
  }
  return a;
}

std::string PrecisionOptions::describe() const {
  std::string out = !assignment.empty() ? "assignment " + assignment
                                        : (bits.empty() ? std::string("w8a8") : bits);
  if (!first_last.empty()) out += ", first/last " + first_last;
  return out;
}

costmodel::CostModel checked_cost_model(arch::Accelerator acc, const std::string& objective,
                                        const std::string& workload, const workloads::Network& net,
                                        const workloads::PrecisionAssignment& a) {
  costmodel::Objective o{};
  (void)costmodel::parse_objective(objective, o);  // CLI11 checked the name
  costmodel::CostModel model(std::move(acc), o);
  const auto check = model.check(net, a);
  if (!check.ok) {
    throw InputError(InputError::Kind::kValue, SourceLocation{workload, 0, 0, check.layer},
                     "cannot run on '" + model.accelerator().name + "': " + check.reason);
  }
  return model;
}

}  // namespace mixq::cli
