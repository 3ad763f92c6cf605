// libFuzzer target: any bytes through the workspace importer and both exporters.
// Must never crash, hang or leak; every problem must come back as a diagnostic.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/yaml/yaml_reader.h"
#include "core/yaml/yaml_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    ilab::model::Workspace ws;
    ilab::yaml::readText(text, "fuzz.yaml", ws);
    const std::string out = ilab::yaml::toYaml(ws);
    (void)ilab::yaml::toJson(ws);
    // what we export must read back without new syntax errors
    ilab::model::Workspace again;
    ilab::yaml::readText(out, "again.yaml", again);
    for (const auto& d : again.loadDiagnostics)
        if (d.code == ilab::DiagCode::Syntax) __builtin_trap();
    return 0;
}
