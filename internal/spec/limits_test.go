package spec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Landscape files are small; hostile or broken ones must be refused
// before the YAML parser (whose cost grows with the square of the keys)
// spends minutes and gigabytes on them.
func TestParseRefusesOversizedFiles(t *testing.T) {
	big := "sid: PRD\n# " + strings.Repeat("x", MaxFileSize) + "\n"
	_, err := Parse([]byte(big), "big.yaml")
	wantParseError(t, err, "big.yaml: the file has 1048588 bytes; a landscape file holds at most 1048576 (1 MiB)")

	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	wantParseError(t, err, path+": the file has more than 1048576 bytes; a landscape file holds at most 1048576 (1 MiB)")
}

func TestParseBoundsKeysAndNesting(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"tags", "sid: PRD\ntags:\n" + repeatLines("  k%d: v\n", MaxKeys), "more than 500 keys"},
		{"flow tags", "sid: PRD\ntags: {" + repeatLines("k%d: v, ", MaxKeys) + "}\n", "more than 500 keys"},
		{"nesting", "sid: " + strings.Repeat("[", MaxDepth+1) + "\n", "nested more than 32 levels deep"},
		{"comments", repeatLines("# %d\n", MaxTokens), "more than 20000 YAML tokens"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src), "l.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse: %v, want %q", err, tc.want)
			}
		})
	}
	// What a real landscape needs stays well inside the limits.
	ok := "sid: PRD\ntags:\n" + repeatLines("  k%d: v\n", MaxUserTags)
	if _, err := Parse([]byte(ok), "l.yaml"); err != nil {
		t.Fatal(err)
	}
}

func TestParseContextHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ParseContext(ctx, []byte("sid: PRD\n"), "l.yaml")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ParseContext with a cancelled context: %v", err)
	}
	path := filepath.Join(t.TempDir(), "l.yaml")
	if err := os.WriteFile(path, []byte("sid: PRD\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadContext(ctx, path); !errors.Is(err, context.Canceled) {
		t.Fatalf("LoadContext with a cancelled context: %v", err)
	}
	if _, err := LoadContext(context.Background(), path); err != nil {
		t.Fatal(err)
	}
}

func TestParseErrorsClipEchoedValues(t *testing.T) {
	long := strings.Repeat("y", 10_000)
	for _, src := range []string{
		long + ": 1\n", // unknown key
		"replicationTimeControl: " + long + "\n",
		"lifecycle:\n  archiveDays: " + long + "\n",
		"tags:\n  A: 1.5" + strings.Repeat("0", 10_000) + "\n",
	} {
		_, err := Parse([]byte(src), "l.yaml")
		if err == nil {
			t.Fatalf("Parse accepted %.40q", src)
		}
		if len(err.Error()) > 400 || !strings.Contains(err.Error(), "…") {
			t.Errorf("error echoes %d bytes: %.200s", len(err.Error()), err)
		}
	}
	fe := FieldError{Field: "sid", Value: long, Rule: "bad"}
	if len(fe.Error()) > 200 {
		t.Errorf("FieldError echoes %d bytes", len(fe.Error()))
	}
}

func repeatLines(format string, n int) string {
	var b strings.Builder
	for i := range n + 1 {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

func wantParseError(t *testing.T, err error, want string) {
	t.Helper()
	var pe ParseErrors
	if !errors.As(err, &pe) || len(pe) != 1 || pe[0].Error() != want {
		t.Fatalf("got %v, want the parse error %q", err, want)
	}
}

// BenchmarkParseAtLimits measures the worst files the limits let through
// (and one just past them, refused by the lexer pass): each must take a
// fraction of a second, not minutes.
func BenchmarkParseAtLimits(b *testing.B) {
	for _, tc := range []struct{ name, src string }{
		{"500 keys", "sid: PRD\ntags:\n" + repeatLines("  k%d: v\n", MaxKeys-2)},
		{"501 flow keys", "sid: PRD\ntags: {" + repeatLines("k%d: v, ", MaxKeys) + "}\n"},
		{"20000 comment tokens", repeatLines("# %d\n", MaxTokens-2)},
		{"1 MiB scalar", "sid: " + strings.Repeat("x", MaxFileSize-10) + "\n"},
		{"1 MiB quoted", `sid: "` + strings.Repeat("x", MaxFileSize-10) + "\"\n"},
		{"1 MiB of keys", repeatLines("k%d: v\n", MaxFileSize/10)},
	} {
		data := []byte(tc.src)
		if len(data) > MaxFileSize {
			b.Fatalf("%s: %d bytes", tc.name, len(data))
		}
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				_, _ = Parse(data, "l.yaml")
			}
		})
	}
}
