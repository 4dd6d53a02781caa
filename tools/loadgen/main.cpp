// minitwit-loadgen: drives the simulator API and the web UI, and seeds large datasets.
//   generate --users N --actions M [--seed S]         a synthetic scenario (stdout or --out)
//   replay SCENARIO.tsv --target HOST:PORT            the scenario, as the simulator sends it
//   run --workload W --target HOST:PORT [--rate R]    a fixed workload, closed or open loop
//   seed --data-dir DIR --users --messages --follows  a large dataset through the writer
//   render --results R.ndjson --markdown F --svg F    the benchmark tables and chart
// Exit codes: 0 done, 1 failed, 2 usage, 3 the run had errors and --fail-on-errors.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "tools/loadgen/commands.hpp"

using namespace minitwit::loadgen;

int main(int argc, char** argv) {
  CLI::App app{"minitwit-loadgen: load generator and dataset seeder for MiniTwit-ES"};
  app.require_subcommand(1);
  // An option given twice: the last one counts (scripts put defaults first).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  generate_command gen;
  auto* g = app.add_subcommand("generate", "Write a synthetic scenario in the simulator's format");
  g->add_option("--users", gen.options.users, "Users (each registers once)")->capture_default_str();
  g->add_option("--actions", gen.options.actions, "Actions in all, registrations included")
      ->capture_default_str();
  g->add_option("--seed", gen.options.seed, "Random seed (same seed, same scenario)")
      ->capture_default_str();
  g->add_option("--out", gen.out, "Write here instead of standard output");

  load_options load;
  auto add_load_options = [&](CLI::App* c) {
    c->add_option("--target", load.target, "HOST:PORT of the server")->required();
    c->add_option("--auth", load.auth, "USER:PASSWORD for Basic authentication ('' : none)")
        ->capture_default_str();
    c->add_option("--slow-ms", load.driver.slow_ms,
                  "Answers slower than this are errors (the simulator's timeout)")
        ->capture_default_str();
    c->add_option("--timeout-ms", load.driver.timeout_ms, "Give up on a request after this long")
        ->capture_default_str();
    c->add_option("--json", load.json_out, "Append the report as one JSON line to this file");
    c->add_option("--name", load.name, "Name of this run in the report");
    c->add_option("--server", load.server,
                  "What the target is, for the report (e.g. minitwit, ceiling)");
    c->add_flag("--fail-on-errors", load.fail_on_errors, "Exit with 3 if any request was an error");
  };

  replay_command rep;
  auto* r = app.add_subcommand("replay", "Replay a scenario against the simulator API");
  r->add_option("scenario", rep.scenario, "Scenario file (TSV, the simulator's format)")
      ->required();
  r->add_option("--concurrency", rep.concurrency, "Requests in flight at most")
      ->capture_default_str();
  r->add_option(
       "--rate", rep.rate,
       "Actions per second at most (the simulator paces its actions; 0: as fast as answered)")
      ->capture_default_str();
  r->add_flag("--keep-alive", rep.keep_alive,
              "Reuse connections (the simulator opens one per request)");
  add_load_options(r);

  run_command run;
  auto* w =
      app.add_subcommand("run", "Run a fixed workload, closed loop or (with --rate) open loop");
  std::string workloads_help = "Workload:";
  for (const auto& [name, what] : workload_names())
    workloads_help += fmt::format("\n  {:<11} {}", name, what);
  w->add_option("--workload", run.workload, workloads_help)->required();
  w->add_option("--connections", run.connections, "Connections (closed loop: requests in flight)")
      ->capture_default_str();
  w->add_option("--duration", run.duration_s, "Seconds measured")->capture_default_str();
  w->add_option("--warmup", run.warmup_s, "Seconds sent before measuring")->capture_default_str();
  w->add_option("--rate", run.rate,
                "Open loop: requests per second, latency counted from when each was due")
      ->capture_default_str();
  w->add_option("--threads", run.threads, "Client threads")->capture_default_str();
  w->add_option("--users", run.options.users, "Seeded users to address (seed_username 0..N-1)")
      ->capture_default_str();
  w->add_option("--page", run.options.page, "`no` of list reads")->capture_default_str();
  w->add_option("--seed", run.seed, "Random seed")->capture_default_str();
  w->add_flag("--new-connection", run.new_connection,
              "A new connection per request, like the simulator");
  add_load_options(w);

  seed_options seed;
  auto* s = app.add_subcommand("seed", "Build a large dataset through the writer (server stopped)");
  s->add_option("--data-dir", seed.data_dir, "New data directory")->required();
  s->add_option("--users", seed.users, "Users")->capture_default_str();
  s->add_option("--messages", seed.messages, "Messages")->capture_default_str();
  s->add_option("--follows", seed.follows, "Follow actions (a repeated pair follows once)")
      ->capture_default_str();
  s->add_option("--seed", seed.seed, "Random seed")->capture_default_str();
  s->add_option("--password", seed.password, "Password of every seeded user")
      ->capture_default_str();

  render_command ren;
  auto* d = app.add_subcommand("render",
                               "Write the benchmark tables into markdown and draw the SVG chart");
  d->add_option("--results", ren.results, "NDJSON reports of one benchmark run")->required();
  d->add_option("--markdown", ren.markdown,
                "Markdown file: the part between the generated markers is replaced")
      ->required();
  d->add_option("--svg", ren.svg, "SVG chart to write")->required();
  d->add_option("--svg-link", ren.svg_link, "How the markdown links the chart")->required();
  d->add_option("--preamble", ren.preamble,
                "Markdown file put before the tables (command, machine)");

  CLI11_PARSE(app, argc, argv);
  if (g->parsed()) return run_generate(gen);
  if (r->parsed()) return run_replay(rep, load);
  if (w->parsed()) return run_workload(run, load);
  if (s->parsed()) return run_seed(seed);
  return run_render(ren);
}
