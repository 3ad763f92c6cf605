#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ilab {

// Text a user wrote, made safe to print in a message, a terminal or a log line: control characters
// (ESC, CR, BEL, NUL, ...) and DEL are escaped as \n, \t or \xHH so they cannot move the cursor or recolour the
// terminal, and anything longer than `maxBytes` is cut at a UTF-8 boundary with "… (N bytes)" appended.
// 200 bytes: longer than any valid Kubernetes name (253), never a screenful.
inline constexpr std::size_t DISPLAY_TEXT_MAX_BYTES = 200;
// `reportedBytes`: the size to name when `text` is itself a prefix of something longer (0 = text.size()).
std::string displayText(std::string_view text, std::size_t maxBytes = DISPLAY_TEXT_MAX_BYTES, std::size_t reportedBytes = 0);

}  // namespace ilab
