// Writing CSV the way SPEC §6 asks: UTF-8 without BOM, LF line ends, a final newline, and a
// field quoted (RFC 4180, quotes doubled) only when it holds a comma, a quote or a line break.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace tripartite::contracts {

inline void append_csv_field(std::string& out, std::string_view field) {
  bool quote = field.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

inline std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line.push_back(',');
    append_csv_field(line, fields[i]);
  }
  line.push_back('\n');
  return line;
}

}  // namespace tripartite::contracts
