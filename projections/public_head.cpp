#include "projections/public_head.hpp"

#include <algorithm>

namespace minitwit::projections {

std::shared_ptr<const public_head::snapshot> public_head::current() const {
  std::lock_guard lock(mu_);
  return current_;
}

result<void> public_head::load(const read_model& reads) {
  auto page = reads.public_timeline(capacity_);
  if (!page) return make_error(page.error());
  auto s = std::make_shared<snapshot>();
  s->rows = std::move(page->messages);
  s->floor = page->older.value_or(0) ? s->rows.back().id : 0;
  std::lock_guard lock(mu_);
  current_ = std::move(s);
  return {};
}

void public_head::apply(std::vector<message_row> changed) {
  if (changed.empty()) return;
  auto next = std::make_shared<snapshot>(*current());
  auto& rows = next->rows;
  for (auto& row : changed) {
    std::erase_if(rows, [&](const message_row& r) { return r.id == row.id; });
    if (row.flagged || row.id <= next->floor) continue;  // hidden, or below what is known
    auto at =
        std::find_if(rows.begin(), rows.end(), [&](const message_row& r) { return r.id < row.id; });
    rows.insert(at, std::move(row));
  }
  if (rows.size() > capacity_) {
    next->floor = std::max(next->floor, rows[capacity_].id);
    rows.resize(capacity_);
  }
  std::lock_guard lock(mu_);
  current_ = std::move(next);
}

std::optional<message_page> public_head::page(std::size_t limit) const {
  auto s = current();
  message_page p;
  if (s->rows.size() > limit) {
    p.messages.assign(s->rows.begin(), s->rows.begin() + static_cast<std::ptrdiff_t>(limit));
    if (limit > 0) p.older = p.messages.back().id;
    return p;
  }
  if (s->floor != 0) return std::nullopt;
  p.messages = s->rows;
  return p;
}

}  // namespace minitwit::projections
