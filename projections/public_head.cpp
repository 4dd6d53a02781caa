#include "projections/public_head.hpp"

#include <algorithm>
#include <unordered_map>

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
  // One pass and one partial sort, whatever the batch's size (a node catching up
  // applies tens of thousands of rows at once). A message changed twice in the batch
  // ends as its last change says.
  std::unordered_map<std::uint64_t, std::size_t> last;
  last.reserve(changed.size());
  for (std::size_t i = 0; i < changed.size(); ++i) last[changed[i].id] = i;
  std::erase_if(rows, [&](const message_row& r) { return last.contains(r.id); });
  for (std::size_t i = 0; i < changed.size(); ++i) {
    auto& row = changed[i];
    if (last[row.id] != i || row.flagged || row.id <= next->floor) continue;  // hidden, or unknown
    rows.push_back(std::move(row));
  }
  auto newer = [](const message_row& a, const message_row& b) { return a.id > b.id; };
  if (rows.size() > capacity_) {
    auto cut = rows.begin() + static_cast<std::ptrdiff_t>(capacity_);
    std::nth_element(rows.begin(), cut, rows.end(), newer);
    next->floor = std::max(next->floor, cut->id);
    rows.erase(cut, rows.end());
  }
  std::sort(rows.begin(), rows.end(), newer);
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
