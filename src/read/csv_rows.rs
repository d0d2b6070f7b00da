//! The rows of a CSV text, split as the csv crate splits them (RFC 4180 quoting, any of
//! LF, CR and CRLF ending a record, empty lines skipped), each with the line it starts on.
//!
//! A row is split in place, a word-at-a-time search (memchr) for its commas, quotes and
//! line end; only a row longer than the read buffer, or one whose quoting csv_core reads
//! by rules of its own (text after a closing quote, a quote never closed), goes through
//! csv_core's byte-at-a-time parser. A test checks the fields against the csv crate's on
//! random texts.

use std::io::{self, Read};

use csv_core::ReadRecordResult;

/// One row: its bytes and each field's place in them.
#[derive(Debug, Default)]
pub(super) struct Row {
    data: Vec<u8>,
    /// Each field's bytes are `data[start..end]`.
    fields: Vec<(usize, usize)>,
    /// Fields whose text is quoted with a doubled quote in it, still to be unescaped.
    escaped: Vec<usize>,
    /// The 1-based line on which the row starts.
    pub line: u64,
}

impl Row {
    /// Fields in the row.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// The fields, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.fields
            .iter()
            .map(|&(start, end)| &self.data[start..end])
    }

    /// The fields as text, in order: each field's UTF-8 text, or the error of its bytes.
    ///
    /// One check of the whole row's bytes (a word at a time over ASCII) serves every field
    /// that starts and ends on a character boundary of it; only when the whole is not text
    /// (a row csv_core joined, whose fields meet with no separator between them, or stale
    /// bytes left behind an unescaped quote) is a field checked alone.
    pub fn texts(&self) -> impl Iterator<Item = Result<&str, std::str::Utf8Error>> {
        let whole = std::str::from_utf8(&self.data).ok();
        self.fields.iter().map(move |&(start, end)| {
            if start == end {
                return Ok("");
            }
            match whole.and_then(|w| w.get(start..end)) {
                Some(text) => Ok(text),
                None => std::str::from_utf8(&self.data[start..end]),
            }
        })
    }

    /// The `i`th field.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let &(start, end) = self.fields.get(i)?;
        Some(&self.data[start..end])
    }

    fn clear(&mut self) {
        self.data.clear();
        self.fields.clear();
        self.escaped.clear();
    }

    /// Takes the row's bytes, `bytes`, as [`split`] found its fields in them.
    fn keep(&mut self, bytes: &[u8]) {
        self.data.extend_from_slice(bytes);
        for &i in &self.escaped {
            // A doubled quote stands for one: the field's text moves up over each.
            let (start, end) = self.fields[i];
            let mut to = start;
            let mut from = start;
            while from < end {
                let b = self.data[from];
                self.data[to] = b;
                to += 1;
                from += if b == b'"' { 2 } else { 1 };
            }
            self.fields[i].1 = to;
        }
    }
}

/// Reads [`Row`]s from a byte stream.
pub(super) struct Rows<R> {
    inner: R,
    buf: Vec<u8>,
    /// The unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    /// Whether the stream's first bytes have been looked at (for a byte order mark).
    begun: bool,
    /// The line of the byte at `start`.
    line: u64,
    /// Whether the byte before `start` was a CR (an LF right after it starts no new line).
    after_cr: bool,
    core: csv_core::Reader,
    /// Whether `core` has been given any input yet.
    core_used: bool,
    /// The stream position of `buf[0]`, bytes.
    base: u64,
    /// The position of a line feed at which to stop, if a row ends there (see
    /// [`Rows::stop_at`]).
    split: Option<u64>,
    ended: Option<Ended>,
}

/// How a read given a line feed to stop at ([`Rows::stop_at`]) went past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ended {
    /// At the line feed, which ends a row (or an empty line): the rest of the stream is
    /// rows of its own, the first on line `lines_before + 1`.
    At { lines_before: u64 },
    /// Past it, inside a row (a quoted field's line break): the read went on.
    Past,
}

/// Where skipping the line ends before a row stopped.
enum Skip {
    /// At a row.
    Row,
    /// At the end of the stream.
    Eof,
    /// At the position it was not to pass.
    Limit,
}

/// Bytes read at a time; a row longer than the buffer grows it.
const CHUNK: usize = 1 << 16;

impl<R: Read> Rows<R> {
    pub fn new(inner: R) -> Self {
        Rows {
            inner,
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            begun: false,
            line: 1,
            after_cr: false,
            core: csv_core::Reader::new(),
            core_used: false,
            base: 0,
            split: None,
            ended: None,
        }
    }

    /// Rows from the middle of a stream, `inner` starting right after a line feed (no
    /// byte order mark is looked for; lines count from 1, positions from 0).
    pub fn resume(inner: R) -> Self {
        Rows {
            begun: true,
            ..Rows::new(inner)
        }
    }

    /// Stops the rows at the line feed at stream position `split` if it ends a row or an
    /// empty line; [`Rows::ended`] then says how the read went past it.
    pub fn stop_at(&mut self, split: u64) {
        self.split = Some(split);
    }

    /// How the read went past the position given to [`Rows::stop_at`], once it has.
    pub fn ended(&self) -> Option<Ended> {
        self.ended
    }

    /// The stream position of the next unread byte.
    fn position(&self) -> u64 {
        self.base + self.start as u64
    }

    /// Reads more bytes behind the unread ones; false at the end of the stream.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.base += self.start as u64;
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Skips a UTF-8 byte order mark at the start of the stream, as csv_core does.
    fn begin(&mut self) -> io::Result<()> {
        self.begun = true;
        while self.end < 3 && self.fill()? {}
        if self.buf[..self.end].starts_with(b"\xEF\xBB\xBF") {
            self.start = 3;
        }
        Ok(())
    }

    /// Counts the line breaks of `buf[from..to]`, bytes about to be passed.
    fn pass(&mut self, from: usize, to: usize) {
        let bytes = &self.buf[from..to];
        let Some(&last) = bytes.last() else { return };
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let after_cr = if i == 0 {
                self.after_cr
            } else {
                bytes[i - 1] == b'\r'
            };
            if !(bytes[i] == b'\n' && after_cr) {
                self.line += 1;
            }
        }
        self.after_cr = last == b'\r';
    }

    /// Skips the line ends before a row (empty lines, skipped as the csv crate does), up
    /// to stream position `limit` at most.
    fn skip_line_ends(&mut self, limit: u64) -> io::Result<Skip> {
        loop {
            let room = (limit - self.position()).min((self.end - self.start) as u64) as usize;
            if room == 0 {
                if self.position() == limit {
                    return Ok(Skip::Limit);
                }
                if !self.fill()? {
                    return Ok(Skip::Eof);
                }
                continue;
            }
            let n = self.buf[self.start..self.start + room]
                .iter()
                .position(|&b| b != b'\n' && b != b'\r');
            let to = self.start + n.unwrap_or(room);
            self.pass(self.start, to);
            self.start = to;
            if n.is_some() {
                return Ok(Skip::Row);
            }
        }
    }

    /// Reads the next row into `row`; false when there is none left, or when the read
    /// has reached the line feed given to [`Rows::stop_at`] between rows.
    pub fn next_row(&mut self, row: &mut Row) -> io::Result<bool> {
        row.clear();
        if !self.begun {
            self.begin()?;
        }
        let mut limit = u64::MAX;
        if let Some(split) = self.split {
            if self.position() > split {
                // The line feed was inside the last row (or a row ended on it by csv_core's
                // reading, which takes the line end: read on all the same).
                self.split = None;
                self.ended = Some(Ended::Past);
            } else {
                limit = split + 1;
            }
        }
        match self.skip_line_ends(limit)? {
            Skip::Row => {}
            Skip::Eof => return Ok(false),
            Skip::Limit => {
                self.split = None;
                self.ended = Some(Ended::At {
                    lines_before: self.line - 1,
                });
                return Ok(false);
            }
        }
        row.line = self.line;
        // Split in place if the whole row is in the buffer, after one more read at most;
        // else, or if it is irregular, csv_core reads it.
        for refilled in [false, true] {
            let bytes = &self.buf[self.start..self.end];
            match split(bytes, self.eof, row) {
                Split::Row(n) => {
                    row.keep(&bytes[..n]);
                    self.pass(self.start, self.start + n);
                    self.start += n;
                    return Ok(true);
                }
                Split::Irregular => break,
                Split::Short if refilled => break,
                Split::Short => {
                    self.fill()?;
                }
            }
        }
        row.clear();
        self.by_csv_core(row)
    }

    /// A row read by csv_core from `start`: one longer than the buffer, or irregular.
    fn by_csv_core(&mut self, row: &mut Row) -> io::Result<bool> {
        row.data.resize(row.data.capacity().max(1 << 10), 0);
        let mut ends = vec![0; 64];
        let (mut nout, mut nend) = (0, 0);
        loop {
            if self.start == self.end {
                self.fill()?;
            }
            let mut input = &self.buf[self.start..self.end];
            if !self.core_used {
                // csv_core drops a byte order mark at the start of the first input it is
                // given if that input has three bytes or more; `begin` has already dropped
                // the stream's, and a later one is data.
                self.core_used = true;
                input = &input[..input.len().min(1)];
            }
            let (res, nin, out, found) =
                self.core
                    .read_record(input, &mut row.data[nout..], &mut ends[nend..]);
            self.pass(self.start, self.start + nin);
            self.start += nin;
            nout += out;
            nend += found;
            match res {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => row.data.resize(row.data.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                ReadRecordResult::Record | ReadRecordResult::End => {
                    row.data.truncate(nout);
                    let starts = std::iter::once(0).chain(ends[..nend].iter().copied());
                    row.fields.extend(starts.zip(ends[..nend].iter().copied()));
                    return Ok(res == ReadRecordResult::Record);
                }
            }
        }
    }
}

/// What [`split`] found.
enum Split {
    /// A row, ending before byte `n` (its line end, unread, or the end of the stream).
    Row(usize),
    /// The bytes end inside the row.
    Short,
    /// A quoted field followed by more than a comma or a line end (csv_core's rules
    /// keep its text on), or one never closed.
    Irregular,
}

/// Finds the fields of the row at the start of `bytes`, as csv_core would: fields end at
/// a comma, a row at a CR or LF; a field that starts with a quote runs to the next lone
/// quote, a doubled one standing for itself; a quote later in a field is text. The
/// fields' places go to `row`, its bytes are for the caller to [`Row::keep`].
fn split(bytes: &[u8], eof: bool, row: &mut Row) -> Split {
    row.fields.clear();
    row.escaped.clear();
    let mut i = 0;
    'field: loop {
        if bytes.get(i) == Some(&b'"') {
            let open = i + 1;
            let mut j = open;
            loop {
                let Some(q) = memchr::memchr(b'"', &bytes[j..]) else {
                    return if eof { Split::Irregular } else { Split::Short };
                };
                j += q + 1;
                match bytes.get(j) {
                    Some(b'"') => {
                        if row.escaped.last() != Some(&row.fields.len()) {
                            row.escaped.push(row.fields.len());
                        }
                        j += 1;
                    }
                    None if !eof => return Split::Short,
                    _ => break,
                }
            }
            row.fields.push((open, j - 1));
            match bytes.get(j) {
                Some(b',') => i = j + 1,
                Some(b'\n' | b'\r') => return Split::Row(j),
                None => return Split::Row(j),
                Some(_) => return Split::Irregular,
            }
            continue;
        }
        // Unquoted fields from `i`, a block of bytes at a time: every comma, CR and LF of
        // the block at once (a quote is text here, unless it opens the next field).
        let mut at = i;
        while let Some(block) = bytes.get(at..at + block::LEN) {
            let mut hits = block::separators(block);
            while hits != 0 {
                let end = at + (hits.trailing_zeros() / block::BITS_A_BYTE) as usize;
                hits &= hits - 1;
                row.fields.push((i, end));
                if bytes[end] != b',' {
                    return Split::Row(end);
                }
                i = end + 1;
                if bytes.get(i) == Some(&b'"') {
                    continue 'field;
                }
            }
            at += block::LEN;
        }
        for end in at..bytes.len() {
            match bytes[end] {
                b',' => {
                    row.fields.push((i, end));
                    i = end + 1;
                    if bytes.get(i) == Some(&b'"') {
                        continue 'field;
                    }
                }
                b'\n' | b'\r' => {
                    row.fields.push((i, end));
                    return Split::Row(end);
                }
                _ => {}
            }
        }
        if !eof {
            return Split::Short;
        }
        row.fields.push((i, bytes.len()));
        return Split::Row(bytes.len());
    }
}

/// The commas, CRs and LFs of a block of bytes at once: sixteen bytes by SSE2 where the
/// processor has it (every x86_64 does), else eight bytes in a word.
mod block {
    /// Bytes in a block.
    #[cfg(target_arch = "x86_64")]
    pub const LEN: usize = 16;
    #[cfg(not(target_arch = "x86_64"))]
    pub const LEN: usize = 8;

    /// Bits of [`separators`]' mask a byte of the block: byte `k` is bit `k * BITS_A_BYTE`
    /// (or the bits just above it).
    #[cfg(target_arch = "x86_64")]
    pub const BITS_A_BYTE: u32 = 1;
    #[cfg(not(target_arch = "x86_64"))]
    pub const BITS_A_BYTE: u32 = 8;

    /// A mask of the separators of `block` (of [`LEN`] bytes), its lowest set bit the
    /// first; no bit is set for any other byte.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    pub fn separators(block: &[u8]) -> u64 {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        assert!(block.len() >= LEN);
        // SAFETY: SSE2 is part of x86_64 (every such processor has it), and the unaligned
        // load reads the block's first sixteen bytes, which the assertion guarantees.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
            let hits = _mm_or_si128(_mm_or_si128(is(b','), is(b'\n')), is(b'\r'));
            u64::from(_mm_movemask_epi8(hits) as u16)
        }
    }

    /// A mask of the separators of `block` (of [`LEN`] bytes): the high bit of each
    /// separator byte of the word.
    #[cfg(not(target_arch = "x86_64"))]
    #[inline]
    pub fn separators(block: &[u8]) -> u64 {
        let w = u64::from_le_bytes(block[..LEN].try_into().expect("eight bytes"));
        zero_bytes(w ^ (ONES * b',' as u64))
            | zero_bytes(w ^ (ONES * b'\n' as u64))
            | zero_bytes(w ^ (ONES * b'\r' as u64))
    }

    /// Eight copies of the byte 1.
    #[cfg(any(test, not(target_arch = "x86_64")))]
    pub const ONES: u64 = u64::from_ne_bytes([1; 8]);

    /// The high bit of each zero byte of `x`, and no other bit (no carry crosses bytes:
    /// each byte's low seven bits plus 0x7F stays within the byte).
    #[cfg(any(test, not(target_arch = "x86_64")))]
    #[inline]
    pub fn zero_bytes(x: u64) -> u64 {
        const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
        !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A reader that hands out at most `step` bytes a read, to split rows across reads.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn rows(bytes: &[u8], step: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut rows = Rows::new(Trickle { bytes, step });
        let mut row = Row::default();
        let mut found = Vec::new();
        while rows.next_row(&mut row).unwrap() {
            // Each field's text is its bytes' alone, whatever the row's other bytes are.
            let alone: Vec<_> = row.iter().map(std::str::from_utf8).collect();
            assert_eq!(row.texts().collect::<Vec<_>>(), alone, "line {}", row.line);
            found.push((row.line, row.iter().map(<[u8]>::to_vec).collect()));
        }
        found
    }

    /// The csv crate's fields of the same text (no header, ragged rows allowed).
    fn csv_crate(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        reader
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Same fields as the csv crate, whatever the quotes, line ends and reads (and the
        /// fields' texts as each field's bytes alone give them: see `rows`).
        #[test]
        fn fields_are_the_csv_crates(
            text in proptest::collection::vec(
                prop_oneof![
                    Just(b'a'), Just(b','), Just(b'"'), Just(b'\r'), Just(b'\n'),
                    Just(b' '), Just(0xEF), Just(0xBB), Just(0xBF), Just(0xC3),
                    // A comma, LF and CR with the high bit set: no field ends at them.
                    Just(0xAC), Just(0x8A), Just(0x8D),
                ],
                0..120,
            ),
            step in 1usize..8,
        ) {
            let found: Vec<_> = rows(&text, step).into_iter().map(|(_, f)| f).collect();
            prop_assert_eq!(found, csv_crate(&text));
        }
    }

    /// The separators a block's mask names, as byte positions.
    fn positions(mut mask: u64, bits_a_byte: u32) -> Vec<usize> {
        let mut found = Vec::new();
        while mask != 0 {
            found.push((mask.trailing_zeros() / bits_a_byte) as usize);
            mask &= mask - 1;
        }
        found
    }

    proptest! {
        /// A block's mask names its commas, CRs and LFs and nothing else, whichever block
        /// this processor reads, and so does the eight-byte word of other processors.
        #[test]
        fn block_masks_name_the_separators(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b','), Just(b'\n'), Just(b'\r'), Just(b'a'), Just(b'"'),
                    Just(0xAC), Just(0x8A), Just(0x8D), Just(0x2D), Just(0x0B), any::<u8>()],
                16,
            ),
        ) {
            let expected: Vec<usize> = (0..block::LEN)
                .filter(|&k| matches!(bytes[k], b',' | b'\n' | b'\r'))
                .collect();
            prop_assert_eq!(
                positions(block::separators(&bytes), block::BITS_A_BYTE),
                expected
            );
            for half in bytes.chunks(8) {
                let w = u64::from_le_bytes(half.try_into().unwrap());
                let swar = block::zero_bytes(w ^ (block::ONES * b',' as u64))
                    | block::zero_bytes(w ^ (block::ONES * b'\n' as u64))
                    | block::zero_bytes(w ^ (block::ONES * b'\r' as u64));
                let expected: Vec<usize> = (0..8)
                    .filter(|&k| matches!(half[k], b',' | b'\n' | b'\r'))
                    .collect();
                prop_assert_eq!(positions(swar, 8), expected);
            }
        }
    }

    /// Lines by hand: a line starts after each CR and after each LF not right after a
    /// CR; empty lines and a quoted field's line breaks count, whatever the reads.
    #[test]
    fn rows_start_on_their_own_lines() {
        let text = b"id,name\r\nR0,A\n\nR1,B\r\rR2,\"two\nlines\"\r\n\"R3\",C\n\n\nR4";
        let expected = [
            (1, vec!["id", "name"]),
            (2, vec!["R0", "A"]),
            (4, vec!["R1", "B"]),
            (6, vec!["R2", "two\nlines"]),
            (8, vec!["R3", "C"]),
            (11, vec!["R4"]),
        ];
        for step in [1, 2, 3, 5, 64, CHUNK] {
            let found = rows(text, step);
            let found: Vec<(u64, Vec<&str>)> = found
                .iter()
                .map(|(l, f)| {
                    (
                        *l,
                        f.iter().map(|f| std::str::from_utf8(f).unwrap()).collect(),
                    )
                })
                .collect();
            assert_eq!(found, expected, "reads of {step} bytes");
        }
    }

    /// A row longer than the buffer grows it, quoted or not.
    #[test]
    fn a_row_longer_than_the_buffer_is_read_whole() {
        let long = "x".repeat(3 * CHUNK + 7);
        let text = format!("a,{long}\n\"b\",{long},c\n");
        let found = rows(text.as_bytes(), CHUNK);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].1[1].len(), long.len());
        assert_eq!(found[1].1.len(), 3);
        assert_eq!(found[1].1[1].len(), long.len());
        assert_eq!(found[1].0, 2);
    }
}
