#pragma once

#include <string>

namespace ilab {

// A place in a workspace file. line and column are 1-based (as editors and compilers print them).
struct SourcePos {
    std::string file;
    int line = 0;
    int column = 0;

    bool isValid() const { return line > 0; }
    std::string toString() const {
        return file + ":" + std::to_string(line) + ":" + std::to_string(column);
    }
    bool operator==(const SourcePos&) const = default;
};

}  // namespace ilab
