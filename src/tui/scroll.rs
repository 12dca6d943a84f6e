//! Lists longer than the screen: one way for every list and table of the
//! console (meeting roll, search results, household picker, history, print
//! queue) to move its selection and to show the rows around it.
//!
//! The window is computed from the selection at each render, page by page
//! (rows 1–15, then 16–30 …), so it needs no state besides the selection
//! and the selected row is on screen at any size. Up/Down move one row,
//! PageUp/PageDown one page of [`PAGE`] rows, Home/End to the ends. The
//! position ("16–30 of 60") is shown under the list whenever it does not fit.

use std::ops::Range;

use ratatui::crossterm::event::KeyCode;
use ratatui::text::Line;

use crate::i18n::{Lang, Message};

/// Rows a PageUp/PageDown moves. Keys are handled away from the screen's
/// size, so a page is a fixed number of rows, a little less than the
/// smallest screen (80×24) shows of any list.
pub const PAGE: usize = 10;

/// Moves `selected` in a list of `len` rows for a navigation key; returns
/// whether the key was one.
pub fn nav(selected: &mut usize, len: usize, code: KeyCode) -> bool {
    let last = len.saturating_sub(1);
    let to = match code {
        KeyCode::Up => selected.saturating_sub(1),
        KeyCode::Down => (*selected + 1).min(last),
        KeyCode::PageUp => selected.saturating_sub(PAGE),
        KeyCode::PageDown => (*selected + PAGE).min(last),
        KeyCode::Home => 0,
        KeyCode::End => last,
        _ => return false,
    };
    *selected = to;
    true
}

/// Whether `code` is one of the keys that move through a list.
pub fn is_nav(code: KeyCode) -> bool {
    matches!(
        code,
        KeyCode::Up
            | KeyCode::Down
            | KeyCode::PageUp
            | KeyCode::PageDown
            | KeyCode::Home
            | KeyCode::End
    )
}

/// The rows shown when `height` rows fit: the page that holds `selected`.
pub fn window(selected: usize, len: usize, height: usize) -> Range<usize> {
    let height = height.max(1);
    if len <= height {
        return 0..len;
    }
    let start = (selected.min(len - 1) / height) * height;
    start..(start + height).min(len)
}

/// The rows shown when lines take `heights[i]` screen rows each (they
/// wrap) and `room` rows fit: pages filled from the top, the one that holds
/// `selected`. A line taller than the room is a page of its own.
pub fn window_wrapped(selected: usize, heights: &[usize], room: usize) -> Range<usize> {
    let room = room.max(1);
    let mut start = 0;
    let mut used = 0;
    for (i, &h) in heights.iter().enumerate() {
        if used > 0 && used + h > room {
            if selected < i {
                return start..i;
            }
            start = i;
            used = 0;
        }
        used += h;
    }
    start..heights.len()
}

/// "16–30 of 60", or nothing when the whole list is shown.
pub fn position(lang: Lang, shown: &Range<usize>, len: usize) -> Option<Line<'static>> {
    if shown.start == 0 && shown.end >= len {
        return None;
    }
    Some(Line::from(
        Message::new("tui.list.position")
            .arg("from", shown.start + 1)
            .arg("to", shown.end)
            .arg("total", len)
            .render(lang),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selected_row_is_always_in_the_window() {
        for len in 0..70 {
            for height in 1..30 {
                for selected in 0..len {
                    let w = window(selected, len, height);
                    assert!(
                        w.contains(&selected),
                        "{selected} in {w:?} ({len}, {height})"
                    );
                    assert!(w.len() <= height);
                }
            }
        }
    }

    #[test]
    fn wrapped_lines_fill_pages_and_hold_the_selection() {
        let heights = [1, 2, 1, 3, 1, 1, 2, 1];
        for room in 1..8 {
            for selected in 0..heights.len() {
                let w = window_wrapped(selected, &heights, room);
                assert!(w.contains(&selected), "{selected} in {w:?} at {room}");
                let used: usize = heights[w.clone()].iter().sum();
                assert!(used <= room || w.len() == 1, "{w:?} at {room}");
            }
        }
        assert_eq!(window_wrapped(0, &[1; 5], 10), 0..5);
    }

    #[test]
    fn keys_move_within_the_list() {
        let mut s = 0;
        assert!(nav(&mut s, 60, KeyCode::End));
        assert_eq!(s, 59);
        assert!(nav(&mut s, 60, KeyCode::PageDown));
        assert_eq!(s, 59);
        assert!(nav(&mut s, 60, KeyCode::PageUp));
        assert_eq!(s, 49);
        assert!(nav(&mut s, 60, KeyCode::Home));
        assert_eq!(s, 0);
        assert!(nav(&mut s, 60, KeyCode::Up));
        assert_eq!(s, 0);
        assert!(!nav(&mut s, 60, KeyCode::Char('x')));
        let mut e = 0;
        assert!(nav(&mut e, 0, KeyCode::Down));
        assert_eq!(e, 0);
    }
}
