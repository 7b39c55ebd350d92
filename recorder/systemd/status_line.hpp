#pragma once

#include "common/status_file.hpp"

#include <string>

namespace isr::rec {

// The one line systemd shows as the service's status (STATUS=, in `systemctl status isrd`): how
// many sources are in each state, then the ones that are not recording with their errors, or,
// when all record, their names: "2 recording, 1 retrying: radio2 http://…: HTTP 503 …".
std::string status_line(const Status& status);

} // namespace isr::rec
