// minitwit-server's running parts and the order they come up in: the store opens, the
// admin listener answers health checks at once ("not ready"), the read models catch up
// and the writer starts, then the simulator API and the web UI listen and the backup
// scheduler runs. On SIGTERM/SIGINT everything drains in the reverse order.
#pragma once

#include "server/server_config.hpp"

namespace minitwit::server {

// Runs the server until it is told to stop. Returns the process's exit code: 0 after a
// clean stop, 1 when it could not start or not close the database (the reason is logged).
int run(const server_config& config);

}  // namespace minitwit::server
