// mixq train: the embedded quantization-aware training loop (docs/training.md).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "mixq/train/hw_cost.hpp"
#include "mixq/train/train.hpp"
#include "mixq/workloads/loader.hpp"

namespace mixq::cli {
namespace {

std::string clock_text(double s) {
  if (!std::isfinite(s) || s < 0) return "--";
  const auto t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  }
  return buf;
}

// Draws at most every 0.1 s on a terminal; one line per finished epoch otherwise.
class ProgressBar {
 public:
  explicit ProgressBar(std::size_t phases) : phases_(phases), tty_(isatty(2) != 0) {}
  void operator()(const train::Progress& p) {
    const bool end_of_epoch = p.batch == p.batches;
    const auto now = std::chrono::steady_clock::now();
    if (tty_ && !end_of_epoch && now - last_ < std::chrono::milliseconds(100)) return;
    if (!tty_ && !end_of_epoch) return;
    last_ = now;
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(kWidth * p.batch / std::max<std::int64_t>(1, p.batches));
    std::string bar(static_cast<std::size_t>(filled), '=');
    if (filled < kWidth) bar += '>';
    bar.resize(kWidth, ' ');
    char line[256];
    std::snprintf(line, sizeof line,
                  "phase %zu/%zu %-6s epoch %d/%d [%s] %lld/%lld loss %.4f acc %.2f%% ETA %s",
                  p.phase + 1, phases_, std::string(train::to_string(p.phase_kind)).c_str(), p.epoch,
                  p.epochs, bar.c_str(), static_cast<long long>(p.batch),
                  static_cast<long long>(p.batches), p.loss, 100.0 * p.accuracy,
                  clock_text(p.eta_s).c_str());
    if (tty_) {
      std::cerr << '\r' << line << "\033[K" << (end_of_epoch ? "\n" : "") << std::flush;
    } else {
      std::cerr << line << '\n';
    }
  }

 private:
  std::size_t phases_;
  bool tty_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

void add_train_command(CLI::App& app, Action& action) {
  struct Args {
    std::string workload = "fmnist_cnn";
    std::string bits;
    std::string first_last = "w8a8";
    bool learn_bits = false;
    std::string granularity = "layer";
    int group_size = 8;
    std::string cost = "none";
    std::string arch;
    std::vector<std::string> overrides;
    double beta = 0;
    int epochs = -1;
    int fp_epochs = 15, qat_epochs = 8, learn_epochs = 8, finetune_epochs = 4;
    double lr = 1e-3, qat_lr = 5e-4, finetune_lr = 2e-4;
    int batch = 128;
    int min_bits = 2, max_bits = 8;
    std::string optimizer = "adam";
    std::uint64_t seed = 1;
    int threads = 0;
    std::string data;
    std::string init;
    std::int64_t train_subset = 0, test_subset = 0;
    std::string out;
    bool json = false;
    bool quiet = false;
  };
  static Args args;
  auto* cmd = app.add_subcommand("train", "Train a network on Fashion-MNIST with quantization-aware "
                                          "training and, optionally, learned mixed precision");
  cmd->add_option("--workload", args.workload, "Zoo network or workload YAML (default fmnist_cnn)");
  auto* bits = cmd->add_option("--bits", args.bits, "Fixed precision, e.g. w4a4 (float → LSQ phases)");
  auto* learn = cmd->add_flag("--learn-bits", args.learn_bits,
                              "Learn bits (float → LSQ at --bits → learned → frozen fine-tune)");
  (void)bits;
  (void)learn;
  cmd->add_option("--first-last", args.first_last, "Precision of the first and last weighted layers "
                                                   "in fixed phases (default w8a8; 'same' for --bits)");
  cmd->add_option("--granularity", args.granularity, "Learned weight-bit granularity")
      ->check(CLI::IsMember({"layer", "channel_group", "channel"}));
  cmd->add_option("--group-size", args.group_size, "Channels per group for channel_group");
  cmd->add_option("--cost", args.cost, "Hardware cost in the loss")
      ->check(CLI::IsMember({"none", "memory", "bops", "ebops", "latency", "energy"}));
  cmd->add_option("--arch", args.arch, "Arch preset or YAML for --cost latency/energy");
  cmd->add_option("--set", args.overrides, "Override an arch key, e.g. --set array.rows=32");
  cmd->add_option("--beta", args.beta, "Weight of the normalized hardware cost");
  cmd->add_option("--epochs", args.epochs, "Epochs of the main phase (float, LSQ or learned)");
  auto* fp_opt = cmd->add_option("--fp-epochs", args.fp_epochs, "Float pre-training epochs (default 15)");
  cmd->add_option("--qat-epochs", args.qat_epochs, "Fixed-bit LSQ epochs (default 8)");
  cmd->add_option("--learn-epochs", args.learn_epochs, "Learned-bit epochs (default 8)");
  cmd->add_option("--finetune-epochs", args.finetune_epochs, "Frozen-bit fine-tune epochs (default 4)");
  cmd->add_option("--lr", args.lr, "Peak learning rate of the float phase (default 1e-3)");
  cmd->add_option("--qat-lr", args.qat_lr, "Peak learning rate of the quantized phases (default 5e-4)");
  cmd->add_option("--finetune-lr", args.finetune_lr, "Peak learning rate of the fine-tune (default 2e-4)");
  cmd->add_option("--batch", args.batch, "Mini-batch size (default 128)");
  cmd->add_option("--min-bits", args.min_bits, "Smallest learned bit width (default 2)");
  cmd->add_option("--max-bits", args.max_bits, "Largest learned bit width (default 8)");
  cmd->add_option("--optimizer", args.optimizer, "adam or sgd")->check(CLI::IsMember({"adam", "sgd"}));
  cmd->add_option("--seed", args.seed, "Random seed (default 1)");
  cmd->add_option("--threads", args.threads, "Worker threads (default: all cores)");
  cmd->add_option("--data", args.data, "Directory of the Fashion-MNIST IDX files");
  cmd->add_option("--init", args.init, "Start from a model.bin of the same workload "
                                       "(the float phase is then skipped unless --fp-epochs is given)");
  cmd->add_option("--train-subset", args.train_subset, "Use only the first N training images");
  cmd->add_option("--test-subset", args.test_subset, "Use only the first N test images");
  cmd->add_option("--out", args.out, "Directory for assignment.yaml, model.bin, log.csv, summary.json");
  cmd->add_flag("--json", args.json, "Print a JSON summary on stdout");
  cmd->add_flag("--quiet", args.quiet, "No progress bar");
  cmd->callback([&action, fp_opt] {
    const std::size_t cmd_fp_epochs_count = fp_opt->count();
    action = [cmd_fp_epochs_count] {
      train::TrainConfig cfg;
      cfg.workload = args.workload;
      cfg.batch = args.batch;
      cfg.seed = args.seed;
      cfg.threads = args.threads;
      cfg.data_dir = args.data;
      cfg.init_model = args.init;
      if (!args.init.empty() && cmd_fp_epochs_count == 0) args.fp_epochs = 0;
      cfg.train_subset = args.train_subset;
      cfg.test_subset = args.test_subset;
      cfg.optimizer = args.optimizer == "sgd" ? train::OptimizerKind::kSgd : train::OptimizerKind::kAdam;
      const SourceLocation bits_where{"--bits", 0, 0, ""};
      cfg.quant.bits = args.bits.empty() ? workloads::Bits{4, 4} : workloads::parse_bits(args.bits, bits_where);
      if (args.first_last == "same") {
        cfg.quant.first_last.reset();
      } else {
        cfg.quant.first_last = workloads::parse_bits(args.first_last, SourceLocation{"--first-last", 0, 0, ""});
      }
      cfg.quant.min_bits = args.min_bits;
      cfg.quant.max_bits = args.max_bits;
      cfg.quant.channel_group_size = args.group_size;
      cfg.quant.granularity = args.granularity == "channel" ? workloads::Granularity::kChannel
                              : args.granularity == "channel_group" ? workloads::Granularity::kChannelGroup
                                                                    : workloads::Granularity::kLayer;
      (void)train::parse_cost_kind(args.cost, cfg.cost.kind);
      cfg.cost.beta = args.beta;
      cfg.cost.arch = args.arch;
      cfg.cost.arch_overrides = args.overrides;
      using train::PhaseKind;
      const int main_epochs = args.epochs;
      if (args.learn_bits) {
        cfg.phases = {{PhaseKind::kFloat, args.fp_epochs, args.lr},
                      {PhaseKind::kFixedBits, args.qat_epochs, args.qat_lr},
                      {PhaseKind::kLearnBits, main_epochs >= 0 ? main_epochs : args.learn_epochs, args.qat_lr},
                      {PhaseKind::kFrozen, args.finetune_epochs, args.finetune_lr}};
      } else if (!args.bits.empty()) {
        cfg.phases = {{PhaseKind::kFloat, args.fp_epochs, args.lr},
                      {PhaseKind::kFixedBits, main_epochs >= 0 ? main_epochs : args.qat_epochs, args.qat_lr}};
      } else {
        cfg.phases = {{PhaseKind::kFloat, main_epochs >= 0 ? main_epochs : args.fp_epochs, args.lr}};
      }
      // Phases of zero epochs are dropped, except that a run keeps at least one.
      std::vector<train::Phase> kept;
      for (const auto& p : cfg.phases) {
        if (p.epochs > 0) kept.push_back(p);
      }
      if (!kept.empty()) cfg.phases = kept;

      ProgressBar bar(cfg.phases.size());
      train::ProgressFn progress;
      if (!args.quiet) progress = [&bar](const train::Progress& p) { bar(p); };
      train::TrainResult r;
      try {
        r = train::train(cfg, progress);
      } catch (const train::DivergenceError& e) {
        std::cerr << "\nmixq: training stopped: " << e.what() << "\nmixq: no assignment was written\n";
        return 3;
      }
      const workloads::Network& net = *r.model.network;
      nlohmann::json summary{{"workload", net.name()},
                             {"test_accuracy", r.test_accuracy},
                             {"epochs", r.epochs},
                             {"train_seconds", r.train_seconds},
                             {"total_seconds", r.total_seconds},
                             {"seconds_per_epoch", r.epochs > 0 ? r.train_seconds / r.epochs : 0.0},
                             {"quantized", r.quantized},
                             {"avg_weight_bits", r.avg_weight_bits},
                             {"avg_activation_bits", r.avg_activation_bits},
                             {"seed", cfg.seed}};
      if (r.quantized && cfg.cost.kind != train::CostKind::kNone) {
        const train::HardwareCost hw(net, cfg.cost, cfg.quant.min_bits, cfg.quant.max_bits);
        summary["cost"] = {{"kind", args.cost}, {"beta", cfg.cost.beta}, {"value", hw.absolute(r.assignment)}};
      }
      nlohmann::json phases = nlohmann::json::array();
      for (const auto& e : r.log) {
        phases.push_back({{"phase", e.phase + 1}, {"kind", train::to_string(e.phase_kind)},
                          {"epoch", e.epoch}, {"lr", e.lr}, {"train_loss", e.train_loss},
                          {"train_accuracy", e.train_accuracy}, {"test_accuracy", e.test_accuracy},
                          {"cost", e.cost}, {"avg_weight_bits", e.avg_weight_bits},
                          {"avg_activation_bits", e.avg_activation_bits}, {"seconds", e.seconds}});
      }
      if (!args.out.empty()) {
        const std::filesystem::path dir(args.out);
        std::filesystem::create_directories(dir);
        if (r.quantized) workloads::save_assignment(r.assignment, net, dir / "assignment.yaml");
        train::save_model(r.model, dir / "model.bin");
        std::ofstream csv(dir / "log.csv");
        csv << "phase,kind,epoch,lr,train_loss,train_accuracy,test_accuracy,cost,avg_weight_bits,"
               "avg_activation_bits,seconds\n";
        for (const auto& e : r.log) {
          csv << e.phase + 1 << ',' << train::to_string(e.phase_kind) << ',' << e.epoch << ',' << e.lr
              << ',' << e.train_loss << ',' << e.train_accuracy << ',' << e.test_accuracy << ','
              << e.cost << ',' << e.avg_weight_bits << ',' << e.avg_activation_bits << ','
              << e.seconds << '\n';
        }
        nlohmann::json full = summary;
        full["log"] = phases;
        std::ofstream(dir / "summary.json") << full.dump(2) << '\n';
      }
      if (args.json) {
        std::cout << summary.dump(2) << '\n';
      } else {
        std::printf("%s: test accuracy %.2f%% after %d epochs (%.1f s training, %.2f s/epoch)\n",
                    net.name().c_str(), 100.0 * r.test_accuracy, r.epochs, r.train_seconds,
                    r.epochs > 0 ? r.train_seconds / r.epochs : 0.0);
        if (r.quantized) {
          std::printf("average bits: weights %.2f, activations %.2f\n", r.avg_weight_bits, r.avg_activation_bits);
          std::cout << workloads::assignment_to_yaml(r.assignment, net);
        }
        if (summary.contains("cost")) std::cout << "cost (" << args.cost << "): " << summary["cost"]["value"] << '\n';
      }
      return 0;
    };
  });
}

}  // namespace mixq::cli
