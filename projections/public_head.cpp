#include "projections/public_head.hpp"

#include <algorithm>
#include <iterator>

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
  auto newer = [](const message_row& a, const message_row& b) { return a.id > b.id; };
  // The batch's last change of each message, newest first: linear in the head's size
  // and k log k in the batch's, whether k is one post or a catch-up's tens of thousands.
  std::stable_sort(changed.begin(), changed.end(), newer);  // a message's changes keep their order
  std::vector<message_row> last;
  last.reserve(changed.size());
  for (std::size_t i = 0; i < changed.size(); ++i)
    if (i + 1 == changed.size() || changed[i + 1].id != changed[i].id)
      last.push_back(std::move(changed[i]));
  auto before = current();
  auto next = std::make_shared<snapshot>();
  next->floor = before->floor;
  std::vector<message_row> kept;
  kept.reserve(before->rows.size());
  std::copy_if(before->rows.begin(), before->rows.end(), std::back_inserter(kept),
               [&](const message_row& r) {
                 return !std::binary_search(last.begin(), last.end(), r, newer);
               });
  std::erase_if(last, [&](const message_row& r) {
    return r.flagged || r.id <= next->floor;  // hidden, or below what is known
  });
  next->rows.reserve(kept.size() + last.size());
  std::merge(std::make_move_iterator(kept.begin()), std::make_move_iterator(kept.end()),
             std::make_move_iterator(last.begin()), std::make_move_iterator(last.end()),
             std::back_inserter(next->rows), newer);
  if (next->rows.size() > capacity_) {
    next->floor = std::max(next->floor, next->rows[capacity_].id);
    next->rows.resize(capacity_);
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
