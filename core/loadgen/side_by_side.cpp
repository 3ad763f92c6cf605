#include "core/loadgen/side_by_side.h"

#include "core/loadgen/load_generator.h"

namespace ilab::loadgen {

SideBySideOutcome runSideBySide(LoadConfig cfg, const SideConnection& predicted, const SideConnection& observed,
                                const GeneratorMaker& makeGenerator,
                                const std::function<bool(const std::shared_ptr<LoadGenerator>&)>& current,
                                double confidence) {
    SideBySideOutcome out;
    cfg.recordLimit = cfg.requests > 0 ? cfg.requests : 20'000'000;
    auto once = [&](const SideConnection& side) -> Results {
        LoadConfig c = cfg;
        c.connectTo = side.connectTo;
        std::shared_ptr<LoadGenerator> gen = makeGenerator(c);
        if (current && !current(gen)) {
            out.cancelled = true;
            return Results{};
        }
        auto started = gen->start();
        if (!started) {
            out.error = side.label + ": " + started.message();
            return Results{};
        }
        gen->wait();
        return gen->takeResults();
    };
    const Results p = once(predicted);
    const Results o = out.error.empty() && !out.cancelled ? once(observed) : Results{};
    if (current && !current(nullptr)) out.cancelled = true;
    if (!out.error.empty() || out.cancelled) return out;
    std::vector<Witness> pw, ow;
    for (const auto& t : cfg.targets) {
        pw.push_back(sendWitness(t, predicted));
        ow.push_back(sendWitness(t, observed));
    }
    out.comparison = std::make_shared<Comparison>(compareRuns(cfg, p, o, predicted, observed, pw, ow, confidence));
    return out;
}

}  // namespace ilab::loadgen
