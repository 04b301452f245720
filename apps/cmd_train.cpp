// mixq train: the embedded quantization-aware training loop (docs/training.md).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "mixq/train/hw_cost.hpp"
#include "mixq/train/options.hpp"
#include "mixq/train/train.hpp"
#include "mixq/workloads/loader.hpp"

namespace mixq::cli {
namespace {

// Draws at most every 0.1 s on a terminal; one line per finished epoch otherwise.
class TrainProgress {
 public:
  explicit TrainProgress(std::size_t phases) : phases_(phases), tty_(isatty(2) != 0) {}
  void operator()(const train::Progress& p) {
    const bool end_of_epoch = p.batch == p.batches;
    if (!tty_ && !end_of_epoch) return;
    if (!redraw_.due(end_of_epoch)) return;
    const std::string bar = text_bar(
        static_cast<double>(p.batch) / static_cast<double>(std::max<std::int64_t>(1, p.batches)),
        24, '=', '>', ' ');
    char line[256];
    std::snprintf(line, sizeof line,
                  "phase %zu/%zu %-6s epoch %d/%d [%s] %lld/%lld loss %.4f acc %.2f%% ETA %s",
                  p.phase + 1, phases_, std::string(train::to_string(p.phase_kind)).c_str(),
                  p.epoch, p.epochs, bar.c_str(), static_cast<long long>(p.batch),
                  static_cast<long long>(p.batches), p.loss, 100.0 * p.accuracy,
                  duration_text(p.eta_s).c_str());
    if (tty_) {
      std::cerr << '\r' << line << "\033[K" << (end_of_epoch ? "\n" : "") << std::flush;
    } else {
      std::cerr << line << '\n';
    }
  }

 private:
  std::size_t phases_;
  bool tty_;
  Redraw redraw_;
};

}  // namespace

void add_train_command(CLI::App& app, Action& action) {
  struct Args {
    train::RunOptions run;
    int epochs = -1;      // -1: the phase's own default
    int fp_epochs = 15;   // used only when --fp-epochs is given (see RunOptions::fp_epochs)
    std::string out;
    bool json = false;
    bool quiet = false;
  };
  static Args args;
  auto* cmd = app.add_subcommand("train", "Train a network on Fashion-MNIST with quantization-aware "
                                          "training and, optionally, learned mixed precision");
  cmd->add_option("--workload", args.run.workload, "Zoo network or workload YAML (default fmnist_cnn)");
  auto* bits = cmd->add_option("--bits", args.run.bits, "Fixed precision, e.g. w4a4 (float → LSQ phases)");
  auto* learn = cmd->add_flag("--learn-bits", args.run.learn_bits,
                              "Learn bits (float → LSQ at --bits → learned → frozen fine-tune)");
  (void)bits;
  (void)learn;
  cmd->add_option("--first-last", args.run.first_last, "Precision of the first and last weighted layers "
                                                   "in fixed phases (default w8a8; 'same' for --bits)");
  cmd->add_option("--granularity", args.run.granularity, "Learned weight-bit granularity")
      ->check(CLI::IsMember({"layer", "channel_group", "channel"}));
  cmd->add_option("--group-size", args.run.group_size, "Channels per group for channel_group");
  cmd->add_option("--cost", args.run.cost, "Hardware cost in the loss")
      ->check(CLI::IsMember({"none", "memory", "bops", "ebops", "latency", "energy"}));
  cmd->add_option("--arch", args.run.arch, "Arch preset or YAML for --cost latency/energy");
  cmd->add_option("--set", args.run.overrides, "Override an arch key, e.g. --set array.rows=32");
  cmd->add_option("--beta", args.run.beta, "Weight of the normalized hardware cost");
  cmd->add_option("--epochs", args.epochs, "Epochs of the main phase (float, LSQ or learned)");
  auto* fp_opt = cmd->add_option("--fp-epochs", args.fp_epochs, "Float pre-training epochs (default 15)");
  cmd->add_option("--qat-epochs", args.run.qat_epochs, "Fixed-bit LSQ epochs (default 8)");
  cmd->add_option("--learn-epochs", args.run.learn_epochs, "Learned-bit epochs (default 8)");
  cmd->add_option("--finetune-epochs", args.run.finetune_epochs, "Frozen-bit fine-tune epochs (default 4)");
  cmd->add_option("--lr", args.run.lr, "Peak learning rate of the float phase (default 1e-3)");
  cmd->add_option("--qat-lr", args.run.qat_lr, "Peak learning rate of the quantized phases (default 5e-4)");
  cmd->add_option("--finetune-lr", args.run.finetune_lr, "Peak learning rate of the fine-tune (default 2e-4)");
  cmd->add_option("--batch", args.run.batch, "Mini-batch size (default 128)");
  cmd->add_option("--micro-batch", args.run.micro_batch, "Samples per pass inside a thread's slice (default 16)");
  cmd->add_option("--min-bits", args.run.min_bits, "Smallest learned bit width (default 2)");
  cmd->add_option("--max-bits", args.run.max_bits, "Largest learned bit width (default 8)");
  cmd->add_option("--optimizer", args.run.optimizer, "adam or sgd")->check(CLI::IsMember({"adam", "sgd"}));
  cmd->add_option("--seed", args.run.seed, "Random seed (default 1)");
  cmd->add_option("--threads", args.run.threads, "Worker threads (default: all cores)");
  cmd->add_option("--data", args.run.data, "Directory of the Fashion-MNIST IDX files");
  cmd->add_option("--init", args.run.init, "Start from a model.bin of the same workload "
                                       "(the float phase is then skipped unless --fp-epochs is given)");
  cmd->add_option("--train-subset", args.run.train_subset, "Use only the first N training images");
  cmd->add_option("--test-subset", args.run.test_subset, "Use only the first N test images");
  cmd->add_option("--out", args.out, "Directory for assignment.yaml, model.bin, log.csv, summary.json");
  cmd->add_flag("--json", args.json, "Print a JSON summary on stdout");
  cmd->add_flag("--quiet", args.quiet, "No progress bar");
  cmd->callback([&action, fp_opt] {
    const std::size_t cmd_fp_epochs_count = fp_opt->count();
    action = [cmd_fp_epochs_count] {
      train::RunOptions run = args.run;
      if (args.epochs >= 0) run.epochs = args.epochs;
      if (cmd_fp_epochs_count > 0) run.fp_epochs = args.fp_epochs;
      const train::TrainConfig cfg = train::config_from(run);

      TrainProgress bar(cfg.phases.size());
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
                             {"train_cpu_seconds", r.train_cpu_seconds},
                             {"total_seconds", r.total_seconds},
                             {"seconds_per_epoch", r.epochs > 0 ? r.train_seconds / r.epochs : 0.0},
                             {"quantized", r.quantized},
                             {"avg_weight_bits", r.avg_weight_bits},
                             {"avg_activation_bits", r.avg_activation_bits},
                             {"seed", cfg.seed}};
      if (r.quantized && cfg.cost.kind != train::CostKind::kNone) {
        const train::HardwareCost hw(net, cfg.cost, cfg.quant.min_bits, cfg.quant.max_bits);
        summary["cost"] = {{"kind", run.cost}, {"beta", cfg.cost.beta}, {"value", hw.absolute(r.assignment)}};
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
        if (summary.contains("cost")) std::cout << "cost (" << run.cost << "): " << summary["cost"]["value"] << '\n';
      }
      return 0;
    };
  });
}

}  // namespace mixq::cli
