package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// ErrCorrupt marks a journal with an unreadable line before its last one.
// Such damage is not what a crash leaves behind, so it is never repaired
// automatically.
var ErrCorrupt = errors.New("journal is corrupt")

// ErrStopped is returned by Append after a write to the journal failed
// in this run (a full disk, say): the first failure was returned with its
// cause; later appends are refused without repeating it, so the cause is
// reported once, and no change is made without its intent on disk.
var ErrStopped = errors.New("refused: an earlier write to the journal failed in this run (its error was reported then)")

// appendFile is what Append writes through: the journal file (a test may
// put a failing one in its place).
type appendFile interface {
	Write(b []byte) (int, error)
	Sync() error
	Truncate(size int64) error
	Close() error
}

// Torn describes a partial last line found when the journal was loaded,
// as a crash in the middle of a write leaves it.
type Torn struct {
	Line  int    // 1-based line number of the torn line
	Bytes int    // bytes cut off by the repair (the torn tail)
	Text  string // the torn bytes as text
}

// Option configures Open.
type Option func(*options)

type options struct {
	now func() time.Time
}

// WithClock sets the clock used for record times, torn-copy and archive
// names (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// Journal is the open, locked journal of one landscape. Its methods are safe
// for concurrent use.
type Journal struct {
	dir  string
	path string
	run  string
	now  func() time.Time
	lock *flock.Flock

	mu      sync.Mutex
	f       appendFile // opened on the first Append
	size    int64      // bytes of complete records in the file
	records []Record
	nextSeq int64
	torn    *Torn // found at Open; nil if none
	tornAt  int64 // file offset where the torn tail starts
	// repairTorn and repairNewline are pending repairs, done before the
	// next append: cut the torn tail, or terminate a complete last record
	// whose newline was lost.
	repairTorn    bool
	repairNewline bool
	broken        error // a failed write; later appends are refused
	closed        bool
}

// Open locks the landscape directory dir (creating it with mode 0700) and
// loads its journal. run identifies this run in every appended record.
//
// The lock is exclusive and non-blocking: when another process holds it,
// Open fails at once with a *LockedError (errors.Is(err, ErrLocked)) naming
// that process. A torn last line is tolerated (see Torn); an unreadable
// line before the last is an error wrapping ErrCorrupt.
func Open(dir string, run string, opts ...Option) (*Journal, error) {
	if run == "" {
		return nil, fmt.Errorf("open journal in %s: empty run ID", dir)
	}
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create landscape directory %s: %w", dir, err)
	}
	lockPath := filepath.Join(dir, LockFile)
	if err := notSymlink(lockPath); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	lk := flock.New(lockPath, flock.SetPermissions(0o600), flock.SetFlag(os.O_CREATE|os.O_RDONLY|oNoFollow))
	ok, err := lk.TryLock()
	if err != nil {
		if lerr := notSymlink(lockPath); lerr != nil {
			err = lerr
		}
		return nil, fmt.Errorf("lock %s: %w", lockPath, err)
	}
	if !ok {
		return nil, &LockedError{Dir: dir, Holder: readHolder(lockPath)}
	}
	host, _ := os.Hostname()
	holder := LockHolder{PID: os.Getpid(), Host: host, Started: o.now().UTC(), Run: run}
	if err := writeHolder(lockPath, holder); err != nil {
		return nil, errors.Join(err, lk.Unlock())
	}
	j := &Journal{dir: dir, path: filepath.Join(dir, JournalFile), run: run, now: o.now, lock: lk, nextSeq: 1}
	if err := j.load(); err != nil {
		return nil, errors.Join(err, clearHolder(lockPath), lk.Unlock())
	}
	return j, nil
}

// load reads the journal file into j.
func (j *Journal) load() error {
	data, err := ReadFile(j.path, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read journal %s: %w", j.path, err)
	}
	p, err := parse(j.path, data)
	if err != nil {
		return err
	}
	j.records = p.records
	j.nextSeq = p.nextSeq
	j.torn, j.tornAt = p.torn, p.tornAt
	j.repairTorn = p.torn != nil
	j.repairNewline = p.missingNewline
	j.size = int64(len(data))
	if p.torn != nil {
		j.size = p.tornAt
	}
	return nil
}

// Read loads the journal in dir without taking the lock, for read-only
// views such as status. It never repairs anything. A missing journal yields
// no records and no error.
func Read(dir string) ([]Record, *Torn, error) {
	path := filepath.Join(dir, JournalFile)
	data, err := ReadFile(path, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	p, err := parse(path, data)
	if err != nil {
		return nil, nil, err
	}
	return p.records, p.torn, nil
}

type parsed struct {
	records        []Record
	nextSeq        int64
	torn           *Torn
	tornAt         int64
	missingNewline bool // the last record is complete but unterminated
}

// parse decodes journal data. Blank lines are skipped. The last non-blank
// line may be torn by a crash (see tornByCrash); any other unreadable line
// is an error wrapping ErrCorrupt.
func parse(path string, data []byte) (parsed, error) {
	type line struct {
		no         int
		start      int
		text       []byte
		terminated bool
	}
	var lines []line
	for start, no := 0, 1; start < len(data); no++ {
		end := bytes.IndexByte(data[start:], '\n')
		l := line{no: no, start: start}
		if end < 0 {
			l.text = data[start:]
			start = len(data)
		} else {
			l.text = data[start : start+end]
			l.terminated = true
			start += end + 1
		}
		if len(bytes.TrimSpace(l.text)) > 0 {
			lines = append(lines, l)
		}
	}
	p := parsed{nextSeq: 1}
	for i, l := range lines {
		r, err := decodeLine(l.text)
		if err != nil {
			if i == len(lines)-1 && tornByCrash(l.text, l.terminated) {
				tail := data[l.start:]
				p.torn = &Torn{Line: l.no, Bytes: len(tail), Text: string(tail)}
				p.tornAt = int64(l.start)
				break
			}
			return parsed{}, fmt.Errorf("%w: %s line %d: %w; only a damaged last line is repaired automatically, so inspect the file", ErrCorrupt, path, l.no, err)
		}
		p.records = append(p.records, r)
		if r.Seq >= p.nextSeq {
			p.nextSeq = r.Seq + 1
		}
		if i == len(lines)-1 && !l.terminated {
			p.missingNewline = true
		}
	}
	return p, nil
}

// tornByCrash reports whether an unreadable last line is what a crash in
// the middle of an append leaves: the start of a record cut short (no
// newline, JSON that ends too early), or the NUL bytes a filesystem leaves
// where a write never reached the disk. A line that was written whole (it
// has its newline, or it is complete JSON) but is not a record is
// corruption, not a tear.
func tornByCrash(text []byte, terminated bool) bool {
	if len(bytes.Trim(text, "\x00\r\n\t ")) == 0 {
		return true
	}
	if terminated || json.Valid(text) {
		return false
	}
	var v any
	var se *json.SyntaxError
	err := json.Unmarshal(text, &v)
	return errors.As(err, &se) && se.Offset >= int64(len(text))
}

// decodeLine decodes one journal line; a record needs a Seq and a Kind.
func decodeLine(b []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, err
	}
	if r.Seq <= 0 || r.Kind == "" {
		return Record{}, errors.New("not a journal record (no seq or kind)")
	}
	return r, nil
}

// Append assigns r its Seq (continuing the file), Time and Run, writes it as
// one JSON line with a single write, and fsyncs the file before returning.
// A torn tail found at Open is cut off (and kept in journal.torn-<time>)
// before the first append.
func (j *Journal) Append(r Record) (Record, error) {
	out, err := j.AppendAll([]Record{r})
	if err != nil {
		return Record{}, err
	}
	return out[0], nil
}

// AppendAll appends several records as Append does, with one write and one
// fsync for all of them (a group commit): either all are in the file or, on
// a failed write, none.
func (j *Journal) AppendAll(rs []Record) ([]Record, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil, fmt.Errorf("append to journal %s: journal is closed", j.path)
	}
	if j.broken != nil {
		return nil, fmt.Errorf("append to journal %s: %w", j.path, ErrStopped)
	}
	if err := j.openFile(); err != nil {
		return nil, err
	}
	out := make([]Record, len(rs))
	var buf []byte
	now := j.now().UTC()
	for i, r := range rs {
		r.Seq = j.nextSeq + int64(i)
		r.Time = now
		r.Run = j.run
		b, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encode journal record %d (%s %s): %w", r.Seq, r.Kind, r.Step, err)
		}
		buf = append(append(buf, b...), '\n')
		out[i] = r
	}
	first := j.nextSeq
	n, err := j.f.Write(buf)
	if err != nil {
		werr := fmt.Errorf("write journal record %d to %s: %w", first, j.path, err)
		if n > 0 {
			if terr := j.f.Truncate(j.size); terr != nil {
				werr = errors.Join(werr, fmt.Errorf("cut the partial record off %s: %w", j.path, terr))
			}
		}
		j.broken = werr
		return nil, werr
	}
	if err := j.f.Sync(); err != nil {
		// After a failed fsync the page cache may no longer match the disk;
		// refuse further appends rather than build on unknown state.
		j.broken = fmt.Errorf("fsync %s: %w", j.path, err)
		return nil, j.broken
	}
	j.size += int64(n)
	j.nextSeq += int64(len(rs))
	j.records = append(j.records, out...)
	return out, nil
}

// openFile opens the journal for appending and applies pending repairs.
// Called with j.mu held.
func (j *Journal) openFile() error {
	if j.f != nil {
		return nil
	}
	_, statErr := os.Lstat(j.path)
	created := errors.Is(statErr, fs.ErrNotExist)
	f, err := openNoFollow(j.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open journal %s: %w", j.path, err)
	}
	if created {
		if err := syncDir(j.dir); err != nil {
			f.Close()
			return err
		}
	}
	j.f = f
	if j.repairTorn {
		if err := j.cutTorn(); err != nil {
			return err
		}
	}
	if j.repairNewline {
		n, err := j.f.Write([]byte{'\n'})
		if err != nil {
			return fmt.Errorf("terminate last record of %s: %w", j.path, err)
		}
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("fsync %s: %w", j.path, err)
		}
		j.size += int64(n)
		j.repairNewline = false
	}
	return nil
}

// cutTorn saves the torn tail to journal.torn-<time> and truncates it off.
func (j *Journal) cutTorn() error {
	t := j.torn
	name, err := createUnique(j.dir, tornPrefix+stamp(j.now()), func(p string) error {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := f.WriteString(t.Text); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err != nil {
		return fmt.Errorf("save torn tail of %s (line %d): %w", j.path, t.Line, err)
	}
	if err := j.f.Truncate(j.tornAt); err != nil {
		return fmt.Errorf("cut torn line %d off %s (copy kept in %s): %w", t.Line, j.path, name, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", j.path, err)
	}
	if err := syncDir(j.dir); err != nil {
		return err
	}
	j.size = j.tornAt
	j.repairTorn = false
	return nil
}

// stamp formats a time for file and directory names, in UTC.
func stamp(t time.Time) string {
	return t.UTC().Format("20060102T150405.000Z")
}

// createUnique calls create with <dir>/<base>, then <base>-2, <base>-3, …
// while the name exists, and returns the path that was created.
func createUnique(dir, base string, create func(path string) error) (string, error) {
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name += "-" + strconv.Itoa(i)
		}
		p := filepath.Join(dir, name)
		err := create(p)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return p, err
	}
}

// Records returns a copy of the records loaded and appended so far.
func (j *Journal) Records() []Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Record(nil), j.records...)
}

// Torn returns the torn last line found when the journal was opened, or nil.
// It keeps reporting it after the repair, until Archive.
func (j *Journal) Torn() *Torn {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.torn == nil {
		return nil
	}
	t := *j.torn
	return &t
}

// Path returns the path of journal.jsonl.
func (j *Journal) Path() string { return j.path }

// Close closes the journal and releases the lock. Closing twice is a no-op.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	var errs []error
	if j.f != nil {
		if err := j.f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close journal %s: %w", j.path, err))
		}
		j.f = nil
	}
	errs = append(errs, clearHolder(j.lock.Path()))
	if err := j.lock.Unlock(); err != nil {
		errs = append(errs, fmt.Errorf("unlock %s: %w", j.lock.Path(), err))
	}
	return errors.Join(errs...)
}

// Archive moves journal.jsonl, landscape.yaml and any torn copies into
// archive/<UTC timestamp>/ and returns that directory. The journal is then
// empty: the next Append starts a new file at Seq 1. When there is nothing
// to archive it returns "" and no error. The lock stays held.
func (j *Journal) Archive() (string, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return "", fmt.Errorf("archive journal %s: journal is closed", j.path)
	}
	entries, err := os.ReadDir(j.dir)
	if err != nil {
		return "", fmt.Errorf("archive journal: list %s: %w", j.dir, err)
	}
	var move []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && (n == JournalFile || n == LandscapeFile || strings.HasPrefix(n, tornPrefix)) {
			move = append(move, n)
		}
	}
	if len(move) == 0 {
		return "", nil
	}
	if j.f != nil {
		if err := j.f.Close(); err != nil {
			return "", fmt.Errorf("close journal %s: %w", j.path, err)
		}
		j.f = nil
	}
	root := filepath.Join(j.dir, ArchiveDir)
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", fmt.Errorf("create archive directory %s: %w", root, err)
	}
	target, err := createUnique(root, stamp(j.now()), func(p string) error { return os.Mkdir(p, 0o700) })
	if err != nil {
		return "", fmt.Errorf("create archive directory in %s: %w", root, err)
	}
	for _, n := range move {
		if err := os.Rename(filepath.Join(j.dir, n), filepath.Join(target, n)); err != nil {
			return "", fmt.Errorf("archive %s to %s: %w", filepath.Join(j.dir, n), target, err)
		}
	}
	for _, d := range []string{target, root, j.dir} {
		if err := syncDir(d); err != nil {
			return "", err
		}
	}
	j.records, j.nextSeq, j.size = nil, 1, 0
	j.torn, j.repairTorn, j.repairNewline, j.broken = nil, false, false, nil
	return target, nil
}
