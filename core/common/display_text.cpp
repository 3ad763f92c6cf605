#include "core/common/display_text.h"

namespace ilab {

std::string displayText(std::string_view text, std::size_t maxBytes, std::size_t reportedBytes) {
    std::size_t cut = text.size();
    if (cut > maxBytes) {
        cut = maxBytes;
        // back up to the start of a UTF-8 sequence so the cut never splits a character
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    }
    std::string out;
    out.reserve(cut + 16);
    static const char HEX[] = "0123456789abcdef";
    for (std::size_t i = 0; i < cut; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\r') out += "\\r";
        else if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += HEX[c >> 4];
            out += HEX[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (cut < text.size()) out += "\xE2\x80\xA6 (" + std::to_string(reportedBytes ? reportedBytes : text.size()) + " bytes)";
    return out;
}

}  // namespace ilab
