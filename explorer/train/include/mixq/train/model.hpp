// A trained network: its parameters, batch-norm statistics and the activation statistics
// used to calibrate quantization steps after training.
//
// File format (docs/training.md, "Model files"): little-endian binary,
//   "MIXQTRN1" (8 bytes) | u32 version (1) | u32 name length | workload name |
//   u32 tensor count | per tensor: u32 name length | name | u32 ndim | i64 dims[ndim] |
//   f32 data[product(dims)]
// with tensors named "<layer>.weight", ".bias", ".bn_gamma", ".bn_beta", ".bn_mean",
// ".bn_var", ".act_sample" (sorted input activations), ".act_signed" (one value,
// 0 or 1), ".trained_groups" (G × 3: channels, w_bits, a_bits), ".trained_w_step" (G) and
// ".trained_a_step" (1); absent tensors are empty.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "mixq/workloads/precision.hpp"

#include "mixq/workloads/network.hpp"

namespace mixq::train {

struct LayerParams {
  std::vector<float> weight;  // K × (C/groups) × R × S (fc: K × C)
  std::vector<float> bias;    // K, or empty
  std::vector<float> bn_gamma, bn_beta, bn_mean, bn_var;  // K each, or empty
  // Calibration: a sorted sample of the input activations of this weighted layer (float
  // network, first 1,024 training images), and whether
  // the input can be negative (it then gets a signed quantizer).
  std::vector<float> act_sample;
  bool act_signed = false;
  // The quantizers the model was trained with (empty after a float-only run): weight groups
  // (channels, w_bits, a_bits) with one learned step each, and the input activation step.
  // evaluate_accuracy() uses them when asked for exactly these bits on a layer without
  // batch norm (folding batch norm changes the weights, so their steps are recalibrated).
  std::vector<workloads::PrecisionGroup> trained_groups;
  std::vector<float> trained_w_step;
  float trained_a_step = 0;
};

struct TrainedModel {
  std::shared_ptr<const workloads::Network> network;
  std::vector<LayerParams> layers;  // one per network layer (empty for weightless layers)
};

// Throws Error when the file cannot be written.
void save_model(const TrainedModel& model, const std::filesystem::path& file);
// `net` must be the network the model was trained on (same layer names and shapes);
// throws InputError on a file that is missing, truncated, corrupt or does not fit `net`.
[[nodiscard]] TrainedModel load_model(const std::filesystem::path& file,
                                      const workloads::Network& net);

}  // namespace mixq::train
