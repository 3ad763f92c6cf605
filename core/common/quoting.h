#pragma once

#include <string>
#include <string_view>

namespace ilab {

// A double-quoted string with backslash escapes for '"', '\\', \n, \t, \r and \xHH for the other control bytes
// and DEL; everything else (UTF-8 included) as is. Go's %q / strconv.Quote writes lower-case hex (the API
// server's messages), go-yaml's emitter upper-case (kubectl's YAML).
enum class HexCase { Lower, Upper };
std::string doubleQuoted(std::string_view s, HexCase hex);

}  // namespace ilab
