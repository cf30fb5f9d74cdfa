#pragma once

#include <filesystem>

#include "conformance/case_compare.h"

namespace stepwise::conformance {

// Runs one case file to its end on RunLocally and compares the result with its `expect`. Never
// throws: an unreadable case, a definition that does not compile or an exception is a failed
// verdict that says so.
Verdict RunCase(const std::filesystem::path& file, double time_scale);

}  // namespace stepwise::conformance
