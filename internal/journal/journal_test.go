package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixedClock returns a clock that starts at t0 and advances one second per call.
func fixedClock(t0 time.Time) func() time.Time {
	var mu sync.Mutex
	n := 0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		n++
		return t0.Add(time.Duration(n-1) * time.Second)
	}
}

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func mustOpen(t *testing.T, dir, run string, opts ...Option) *Journal {
	t.Helper()
	j, err := Open(dir, run, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func mustAppend(t *testing.T, j *Journal, r Record) Record {
	t.Helper()
	out, err := j.Append(r)
	if err != nil {
		t.Fatalf("Append(%+v): %v", r, err)
	}
	return out
}

// fileLines returns the newline-terminated lines of the journal file and
// fails if the file does not end in a newline.
func fileLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("%s does not end in a newline: %q", path, b)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestAppendAssignsFieldsAndReloads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "123456789012", "HDB")
	j := mustOpen(t, dir, "run-1", WithClock(fixedClock(t0)))

	in := []Record{
		{Kind: KindRunStart, Detail: "apply", Run: "ignored"},
		{Kind: KindIntent, Step: "source/bucket", Region: "eu-central-1", Op: "s3:CreateBucket", Resource: "b1"},
		{Kind: KindDone, Step: "source/bucket", Region: "eu-central-1", Op: "s3:CreateBucket", Resource: "b1", ID: "arn:aws:s3:::b1"},
	}
	var got []Record
	for i, r := range in {
		out := mustAppend(t, j, r)
		if out.Seq != int64(i+1) {
			t.Errorf("record %d: Seq = %d, want %d", i, out.Seq, i+1)
		}
		// Open read the clock once, for the lock holder's start time.
		if !out.Time.Equal(t0.Add(time.Duration(i+1) * time.Second)) {
			t.Errorf("record %d: Time = %v, want clock value", i, out.Time)
		}
		if out.Run != "run-1" {
			t.Errorf("record %d: Run = %q, want run-1", i, out.Run)
		}
		got = append(got, out)
	}
	if lines := fileLines(t, j.Path()); len(lines) != 3 {
		t.Fatalf("journal has %d lines, want 3", len(lines))
	}
	if diff := cmp.Diff(got, j.Records()); diff != "" {
		t.Errorf("Records() differs from appended (-want +got):\n%s", diff)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("landscape dir mode = %v, want 0700", fi.Mode().Perm())
	}
	fi, err = os.Stat(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode = %v, want 0600", fi.Mode().Perm())
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	recs, torn, err := Read(dir)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if torn != nil {
		t.Errorf("Read reported a torn line in a clean journal: %+v", torn)
	}
	if diff := cmp.Diff(got, recs); diff != "" {
		t.Errorf("Read differs from appended (-want +got):\n%s", diff)
	}
}

func TestSeqContinuesAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, "run-1")
	mustAppend(t, j, Record{Kind: KindRunStart})
	mustAppend(t, j, Record{Kind: KindRunEnd, Detail: "failed"})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	j2 := mustOpen(t, dir, "run-2")
	if n := len(j2.Records()); n != 2 {
		t.Fatalf("reopened journal has %d records, want 2", n)
	}
	r := mustAppend(t, j2, Record{Kind: KindRunStart})
	if r.Seq != 3 || r.Run != "run-2" {
		t.Errorf("first record after reopen: Seq=%d Run=%q, want 3 run-2", r.Seq, r.Run)
	}
	recs := j2.Records()
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Errorf("record %d has Seq %d", i, r.Seq)
		}
	}
}

func TestAppendIsSafeForConcurrentUse(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, "run-1")
	const workers, each = 8, 40
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if _, err := j.Append(Record{Kind: KindIntent, Step: fmt.Sprintf("w%d/%d", w, i)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	recs, torn, err := Read(dir)
	if err != nil || torn != nil {
		t.Fatalf("Read after concurrent appends: torn=%v err=%v", torn, err)
	}
	if len(recs) != workers*each {
		t.Fatalf("journal holds %d records, want %d", len(recs), workers*each)
	}
	steps := map[string]bool{}
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Fatalf("line %d has Seq %d: sequence not monotonic in file order", i+1, r.Seq)
		}
		steps[r.Step] = true
	}
	if len(steps) != workers*each {
		t.Errorf("%d distinct steps in file, want %d", len(steps), workers*each)
	}
}

// writeJournal writes raw journal content for a test.
func writeJournal(t *testing.T, dir string, lines ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, JournalFile), []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
}

func recLine(t *testing.T, r Record) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

func TestTornLastLineIsReportedAndRepaired(t *testing.T) {
	good1 := Record{Seq: 1, Run: "r1", Kind: KindRunStart, Time: t0}
	good2 := Record{Seq: 2, Run: "r1", Kind: KindIntent, Step: "source/key", Op: "kms:CreateKey", Time: t0}
	half := recLine(t, Record{Seq: 3, Run: "r1", Kind: KindDone, Step: "source/key", Op: "kms:CreateKey", ID: "key-1234"})
	half = half[:len(half)/2]
	nuls := string(bytes.Repeat([]byte{0}, 37)) + "\n"

	for _, tc := range []struct {
		name string
		tail string
	}{
		{"half a JSON line", half},
		{"NUL bytes left by a crash", nuls},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeJournal(t, dir, recLine(t, good1), recLine(t, good2), tc.tail)
			before, _ := os.ReadFile(filepath.Join(dir, JournalFile))

			recs, torn, err := Read(dir)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if torn == nil || torn.Line != 3 || torn.Bytes != len(tc.tail) || torn.Text != tc.tail {
				t.Errorf("Read torn = %+v, want line 3, %d bytes %q", torn, len(tc.tail), tc.tail)
			}
			if len(recs) != 2 {
				t.Errorf("Read returned %d records, want the 2 intact ones", len(recs))
			}

			j := mustOpen(t, dir, "r2", WithClock(fixedClock(t0)))
			if diff := cmp.Diff([]Record{good1, good2}, j.Records()); diff != "" {
				t.Errorf("intact records (-want +got):\n%s", diff)
			}
			if got := j.Torn(); got == nil || got.Line != 3 || got.Text != tc.tail {
				t.Fatalf("Torn() = %+v, want line 3 with the torn bytes", got)
			}
			after, _ := os.ReadFile(filepath.Join(dir, JournalFile))
			if !bytes.Equal(before, after) {
				t.Errorf("Open modified the journal before any append")
			}

			r := mustAppend(t, j, Record{Kind: KindFailed, Step: "source/key", Op: "kms:CreateKey", Error: "interrupted"})
			if r.Seq != 3 {
				t.Errorf("append after torn line got Seq %d, want 3", r.Seq)
			}
			recs, torn, err = Read(dir)
			if err != nil || torn != nil {
				t.Fatalf("journal not clean after repair: torn=%+v err=%v", torn, err)
			}
			if len(recs) != 3 || recs[2].Kind != KindFailed {
				t.Errorf("after repair the journal holds %+v", recs)
			}
			if j.Torn() == nil {
				t.Errorf("Torn() forgot the torn line after repair")
			}
			copies, _ := filepath.Glob(filepath.Join(dir, "journal.torn-*"))
			if len(copies) != 1 {
				t.Fatalf("torn copies = %v, want exactly one", copies)
			}
			kept, _ := os.ReadFile(copies[0])
			if string(kept) != tc.tail {
				t.Errorf("torn copy holds %q, want %q", kept, tc.tail)
			}
		})
	}
}

func TestCompleteLastRecordWithoutNewline(t *testing.T) {
	dir := t.TempDir()
	last := recLine(t, Record{Seq: 2, Run: "r1", Kind: KindDone, Step: "s", Op: "iam:CreateRole", Time: t0})
	writeJournal(t, dir, recLine(t, Record{Seq: 1, Run: "r1", Kind: KindIntent, Step: "s", Op: "iam:CreateRole", Time: t0}), strings.TrimSuffix(last, "\n"))

	j := mustOpen(t, dir, "r2")
	if j.Torn() != nil {
		t.Fatalf("a complete record without newline was reported torn: %+v", j.Torn())
	}
	if n := len(j.Records()); n != 2 {
		t.Fatalf("loaded %d records, want 2", n)
	}
	mustAppend(t, j, Record{Kind: KindRunEnd})
	lines := fileLines(t, j.Path())
	if len(lines) != 3 {
		t.Fatalf("journal has %d lines after append, want 3: %q", len(lines), lines)
	}
	recs, torn, err := Read(dir)
	if err != nil || torn != nil || len(recs) != 3 || recs[2].Seq != 3 {
		t.Fatalf("Read after append: recs=%+v torn=%+v err=%v", recs, torn, err)
	}
}

func TestCorruptMiddleLineIsAnError(t *testing.T) {
	dir := t.TempDir()
	writeJournal(t, dir,
		recLine(t, Record{Seq: 1, Run: "r1", Kind: KindRunStart}),
		"{\"seq\":2,\"kind\":\"intent\",\"step\":\n",
		recLine(t, Record{Seq: 3, Run: "r1", Kind: KindRunEnd}),
	)
	for name, fn := range map[string]func() error{
		"Read": func() error { _, _, err := Read(dir); return err },
		"Open": func() error {
			j, err := Open(dir, "r2")
			if err == nil {
				j.Close()
			}
			return err
		},
	} {
		err := fn()
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: err = %v, want ErrCorrupt", name, err)
		}
		if !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%s: error does not name line 2: %v", name, err)
		}
	}
	// A failed Open must not keep the lock.
	_, err := Open(dir, "r3")
	if errors.Is(err, ErrLocked) {
		t.Fatalf("failed Open left the landscape locked: %v", err)
	}
}

func TestRecordWithoutSeqOrKindIsCorrupt(t *testing.T) {
	dir := t.TempDir()
	writeJournal(t, dir, "{}\n", recLine(t, Record{Seq: 2, Kind: KindRunEnd}))
	if _, _, err := Read(dir); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Read of a journal with an empty object: err = %v, want ErrCorrupt", err)
	}
}

func TestSecondOpenIsLockedAndNamesHolder(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, "run-holder", WithClock(fixedClock(t0)))

	_, err := Open(dir, "run-other")
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: err = %v, want ErrLocked", err)
	}
	var le *LockedError
	if !errors.As(err, &le) || le.Holder == nil {
		t.Fatalf("second Open: want *LockedError with holder, got %#v", err)
	}
	if le.Holder.PID != os.Getpid() || le.Holder.Run != "run-holder" || !le.Holder.Started.Equal(t0) {
		t.Errorf("holder = %+v, want this PID, run-holder, started %v", le.Holder, t0)
	}
	msg := err.Error()
	for _, want := range []string{"another hanavault run", "PID " + strconv.Itoa(os.Getpid()), "safe to retry"} {
		if !strings.Contains(msg, want) {
			t.Errorf("lock error %q does not contain %q", msg, want)
		}
	}

	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, LockFile)); len(b) != 0 {
		t.Errorf("lock file still names a holder after Close: %q", b)
	}
	j2, err := Open(dir, "run-other")
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	j2.Close()
}

func TestLockedErrorWithoutHolder(t *testing.T) {
	err := &LockedError{Dir: "/state/1/HDB"}
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "not recorded") {
		t.Errorf("LockedError without holder: %v", err)
	}
}

func TestAppendAfterCloseFails(t *testing.T) {
	j := mustOpen(t, t.TempDir(), "r1")
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Append(Record{Kind: KindRunStart}); err == nil {
		t.Fatal("Append after Close succeeded")
	}
	if err := j.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// helperEnv makes the test binary act as a lock-holding child process.
const helperEnv = "HANAVAULT_JOURNAL_LOCK_HELPER_DIR"

// TestLockHelperProcess is not a test: run as a child by
// TestLockExcludesOtherProcesses, it opens the journal, says "locked" and
// holds the lock until its stdin closes.
func TestLockHelperProcess(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	j, err := Open(dir, "child-run")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	fmt.Println("locked")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	if err := j.Close(); err != nil {
		os.Exit(3)
	}
	os.Exit(0)
}

// startHolder starts a child process that holds the lock of dir.
func startHolder(t *testing.T, dir string) (*exec.Cmd, func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("child did not take the lock: %q %v", line, err)
	}
	return cmd, func() { stdin.Close() }
}

func TestLockExcludesOtherProcesses(t *testing.T) {
	dir := t.TempDir()
	cmd, release := startHolder(t, dir)

	_, err := Open(dir, "parent-run")
	var le *LockedError
	if !errors.As(err, &le) || le.Holder == nil {
		t.Fatalf("Open while the child holds the lock: err = %v, want *LockedError with holder", err)
	}
	if le.Holder.PID != cmd.Process.Pid || le.Holder.Run != "child-run" {
		t.Errorf("holder = %+v, want child PID %d, run child-run", le.Holder, cmd.Process.Pid)
	}
	if !strings.Contains(err.Error(), "PID "+strconv.Itoa(cmd.Process.Pid)) {
		t.Errorf("lock error does not name the child's PID: %v", err)
	}

	release()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child exited with %v", err)
	}
	j, err := Open(dir, "parent-run")
	if err != nil {
		t.Fatalf("Open after the child released the lock: %v", err)
	}
	j.Close()
}

func TestLockIsReleasedWhenHolderDies(t *testing.T) {
	dir := t.TempDir()
	cmd, _ := startHolder(t, dir)
	if _, err := Open(dir, "parent-run"); !errors.Is(err, ErrLocked) {
		t.Fatalf("Open while child holds the lock: %v, want ErrLocked", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	j, err := Open(dir, "parent-run")
	if err != nil {
		t.Fatalf("Open after the holder was killed: %v", err)
	}
	j.Close()
}

func TestArchive(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, "r1", WithClock(func() time.Time { return t0 }))

	if p, err := j.Archive(); err != nil || p != "" {
		t.Fatalf("Archive of an empty landscape = %q, %v; want nothing archived", p, err)
	}

	mustAppend(t, j, Record{Kind: KindRunStart, Detail: "destroy"})
	mustAppend(t, j, Record{Kind: KindRunEnd, Detail: "ok"})
	journalBytes, _ := os.ReadFile(j.Path())
	spec := []byte("sid: HDB\n")
	if err := os.WriteFile(filepath.Join(dir, LandscapeFile), spec, 0o600); err != nil {
		t.Fatal(err)
	}

	p, err := j.Archive()
	if err != nil {
		t.Fatalf("Archive: %v", err)
	}
	if want := filepath.Join(dir, ArchiveDir, "20260301T100000.000Z"); p != want {
		t.Errorf("Archive path = %q, want %q", p, want)
	}
	for name, want := range map[string][]byte{JournalFile: journalBytes, LandscapeFile: spec} {
		got, err := os.ReadFile(filepath.Join(p, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("archived %s = %q, %v; want %q", name, got, err, want)
		}
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still in the landscape directory after Archive (err=%v)", name, err)
		}
	}
	if n := len(j.Records()); n != 0 {
		t.Errorf("journal holds %d records after Archive, want 0", n)
	}

	r := mustAppend(t, j, Record{Kind: KindRunStart, Detail: "apply"})
	if r.Seq != 1 {
		t.Errorf("first record after Archive has Seq %d, want 1", r.Seq)
	}
	if lines := fileLines(t, j.Path()); len(lines) != 1 {
		t.Errorf("new journal has %d lines, want 1", len(lines))
	}

	// Same clock second: a second archive gets a distinct directory.
	p2, err := j.Archive()
	if err != nil {
		t.Fatalf("second Archive: %v", err)
	}
	if p2 == p || !strings.HasSuffix(p2, "-2") {
		t.Errorf("second Archive path = %q, want a distinct -2 directory next to %q", p2, p)
	}
	recs, _, err := Read(p2)
	if err != nil || len(recs) != 1 || recs[0].Detail != "apply" {
		t.Errorf("second archive holds %+v, %v", recs, err)
	}
}

func TestArchiveKeepsTornCopies(t *testing.T) {
	dir := t.TempDir()
	writeJournal(t, dir, recLine(t, Record{Seq: 1, Run: "r1", Kind: KindRunStart}), `{"seq":2,"ki`)
	j := mustOpen(t, dir, "r2", WithClock(func() time.Time { return t0 }))
	mustAppend(t, j, Record{Kind: KindRunEnd})
	p, err := j.Archive()
	if err != nil {
		t.Fatal(err)
	}
	copies, _ := filepath.Glob(filepath.Join(p, "journal.torn-*"))
	if len(copies) != 1 {
		t.Errorf("archive holds torn copies %v, want one", copies)
	}
	if j.Torn() != nil {
		t.Errorf("Torn() still set after Archive")
	}
}

func TestOpenRequiresRun(t *testing.T) {
	if _, err := Open(t.TempDir(), ""); err == nil {
		t.Fatal("Open with an empty run ID succeeded")
	}
}

func BenchmarkAppend(b *testing.B) {
	j, err := Open(b.TempDir(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	r := Record{Kind: KindIntent, Step: "source/bucket/policy", Region: "eu-central-1", Op: "s3:PutBucketPolicy", Resource: "hanavault-hdb-123456789012-eu-central-1"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := j.Append(r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAppendAllWritesRecordsInOrder: a group commit gives its records
// consecutive sequence numbers, this run's ID, and one line each on disk,
// and an Append after it continues the sequence.
func TestAppendAllWritesRecordsInOrder(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, "run-1")
	mustAppend(t, j, Record{Kind: KindRunStart})
	out, err := j.AppendAll([]Record{
		{Kind: KindIntent, Step: "source/bucket", Op: "s3:DeleteObjects"},
		{Kind: KindIntent, Step: "source/bucket", Op: "s3:DeleteObjects"},
		{Kind: KindIntent, Step: "replica/bucket", Op: "s3:DeleteObjects"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range out {
		if r.Seq != int64(i+2) || r.Run != "run-1" {
			t.Errorf("record %d: Seq=%d Run=%q", i, r.Seq, r.Run)
		}
	}
	if r := mustAppend(t, j, Record{Kind: KindRunEnd}); r.Seq != 5 {
		t.Errorf("append after the group commit: Seq=%d, want 5", r.Seq)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	recs, torn, err := Read(dir)
	if err != nil || torn != nil || len(recs) != 5 || recs[3].Step != "replica/bucket" {
		t.Fatalf("read back: %d records, torn %v, %v", len(recs), torn, err)
	}
}
