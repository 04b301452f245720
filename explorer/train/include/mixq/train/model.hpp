// A trained network: its parameters, batch-norm statistics and the activation statistics
// used to calibrate quantization steps after training.
//
// File format (docs/training.md, "Model files"): little-endian binary,
//   "MIXQTRN1" (8 bytes) | u32 version (1) | u32 name length | workload name |
//   u32 tensor count | per tensor: u32 name length | name | u32 ndim | i64 dims[ndim] |
//   f32 data[product(dims)]
// with tensors named "<layer>.weight", ".bias", ".bn_gamma", ".bn_beta", ".bn_mean",
// ".bn_var", ".act_sample" (sorted absolute input activations) and ".act_signed".
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "mixq/workloads/network.hpp"

namespace mixq::train {

struct LayerParams {
  std::vector<float> weight;  // K × (C/groups) × R × S (fc: K × C)
  std::vector<float> bias;    // K, or empty
  std::vector<float> bn_gamma, bn_beta, bn_mean, bn_var;  // K each, or empty
  // Calibration: a sorted sample of |input activation| of this weighted layer, and whether
  // the input can be negative (it then gets a signed quantizer).
  std::vector<float> act_sample;
  bool act_signed = false;
};

struct TrainedModel {
  workloads::Network network;
  std::vector<LayerParams> layers;  // one per network layer (empty for weightless layers)
};

// Throws Error when the file cannot be written.
void save_model(const TrainedModel& model, const std::filesystem::path& file);
// `net` must be the network the model was trained on (same layer names and shapes);
// throws InputError on a file that is missing, truncated, corrupt or does not fit `net`.
[[nodiscard]] TrainedModel load_model(const std::filesystem::path& file,
                                      const workloads::Network& net);

}  // namespace mixq::train
