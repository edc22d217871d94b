package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hanavault/hanavault/internal/iostreams"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// InvalidFileError is a landscape file that cannot be read, parsed or
// validated (exit 1: the file's content is wrong, not the command line).
type InvalidFileError struct {
	Path string
	Err  error
}

// Error lists each parse or validation problem on its own line.
func (e *InvalidFileError) Error() string {
	var lines []string
	var ve spec.ValidationErrors
	var pe spec.ParseErrors
	switch {
	case errors.As(e.Err, &ve):
		for _, fe := range ve {
			lines = append(lines, fe.Error())
		}
	case errors.As(e.Err, &pe):
		for _, p := range pe {
			lines = append(lines, p.Error())
		}
	default:
		return fmt.Sprintf("cannot use %s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("%s is not a valid landscape:\n  %s", e.Path, strings.Join(lines, "\n  "))
}

// Unwrap returns the parse or validation error.
func (e *InvalidFileError) Unwrap() error { return e.Err }

// readLandscape reads, defaults and validates a landscape file; "-" reads
// standard input. Ctrl+C (ctx) interrupts the parsing.
func readLandscape(ctx context.Context, ios *iostreams.IOStreams, path string) (spec.Landscape, error) {
	var (
		l   spec.Landscape
		err error
	)
	if path == "-" {
		var data []byte
		path = "standard input"
		data, err = spec.ReadLimited(ios.In, path)
		if err == nil {
			l, err = spec.ParseContext(ctx, data, path)
		}
	} else {
		l, err = spec.LoadContext(ctx, path)
	}
	if ctx.Err() != nil {
		return l, ctx.Err()
	}
	if err != nil {
		return l, &InvalidFileError{Path: path, Err: err}
	}
	l.ApplyDefaults()
	if err := l.Validate(); err != nil {
		return l, &InvalidFileError{Path: path, Err: err}
	}
	return l, nil
}

// noteTornJournal says on standard error when a crash tore the last line
// of sid's journal: apply and destroy set it aside (and say so), the
// commands that only read the journal report it with this. A journal that
// cannot be read is left to the command to report.
func noteTornJournal(ctx context.Context, ios *iostreams.IOStreams, eng Engine, sid string) {
	torn, err := eng.TornJournal(ctx, sid)
	if err != nil || torn == nil {
		return
	}
	fmt.Fprintf(ios.ErrOut, "Note: the last line of the journal of %s (line %d, %d bytes) was torn by a crash; the records before it are intact, and the next apply or destroy sets it aside, keeping a copy.\n", sid, torn.Line, torn.Bytes)
}

// PreflightError lists what AWS says stands in the way of a landscape.
type PreflightError struct {
	SID    string
	Issues []steps.PreflightIssue
}

// Error lists each issue with the field it concerns.
func (e *PreflightError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "landscape %s cannot be applied as written:", e.SID)
	for _, is := range e.Issues {
		if is.Field != "" {
			fmt.Fprintf(&b, "\n  %s: %s", is.Field, is.Message)
		} else {
			fmt.Fprintf(&b, "\n  %s", is.Message)
		}
	}
	return b.String()
}

// preflight runs the engine's AWS-side checks.
func preflight(ctx context.Context, eng Engine, l spec.Landscape) error {
	issues, err := eng.Preflight(ctx, l)
	if err != nil {
		return fmt.Errorf("check landscape %s against the account: %w", l.SID, err)
	}
	if len(issues) > 0 {
		return &PreflightError{SID: l.SID, Issues: issues}
	}
	return nil
}

// resolveLandscape finds the landscape a status or destroy is about: the
// SID given, or when sid is "" the only landscape known locally (or by
// tags). It notes a torn last line of the landscape's journal.
func resolveLandscape(ctx context.Context, ios *iostreams.IOStreams, s *Session, cmd, sid string, fromTags bool) (spec.Landscape, error) {
	l, err := findLandscape(ctx, ios, s, cmd, sid, fromTags)
	if err == nil {
		noteTornJournal(ctx, ios, s.Engine, l.SID)
	}
	return l, err
}

func findLandscape(ctx context.Context, ios *iostreams.IOStreams, s *Session, cmd, sid string, fromTags bool) (spec.Landscape, error) {
	if sid != "" {
		l, err := s.Engine.LoadLandscape(ctx, sid, fromTags)
		if err != nil {
			if !fromTags && errors.Is(err, steps.ErrUnknownLandscape) {
				return l, fmt.Errorf("load landscape %s: %w (if its local state is gone, pass --from-tags to rebuild it from the tagged resources in the account)", sid, err)
			}
			if fromTags {
				return l, fmt.Errorf("load landscape %s from its tags: %w", sid, err)
			}
			return l, fmt.Errorf("load landscape %s: %w", sid, err)
		}
		l.ApplyDefaults()
		return l, nil
	}
	known, err := s.Engine.Known(ctx, fromTags)
	if err != nil {
		return spec.Landscape{}, fmt.Errorf("list known landscapes: %w", err)
	}
	switch len(known) {
	case 0:
		where := "in " + s.StateDir
		if fromTags {
			where += " or by tags in the account"
		}
		return spec.Landscape{}, usageErrorf("no landscape is known %s: name one (hanavault %s SID), or pass --from-tags to look for tagged resources", where, cmd)
	case 1:
		k := known[0]
		if k.Landscape != nil {
			l := *k.Landscape
			l.ApplyDefaults()
			return l, nil
		}
		l, err := s.Engine.LoadLandscape(ctx, k.SID, fromTags || !k.Local)
		if err != nil {
			return l, fmt.Errorf("load landscape %s: %w", k.SID, err)
		}
		l.ApplyDefaults()
		return l, nil
	}
	sort.Slice(known, func(i, j int) bool { return known[i].SID < known[j].SID })
	w := ios.ErrOut
	fmt.Fprintln(w, "Several landscapes are known:")
	for _, k := range known {
		var where []string
		if k.Local {
			where = append(where, "local state")
		}
		if k.Tagged {
			where = append(where, "tags")
		}
		line := fmt.Sprintf("  %-4s %s → %s", k.SID, k.SourceRegion, k.ReplicationRegion)
		if k.Overall != "" {
			line += "  " + string(k.Overall)
		}
		if len(where) > 0 {
			line += "  (" + strings.Join(where, ", ") + ")"
		}
		fmt.Fprintln(w, line)
	}
	return spec.Landscape{}, usageErrorf("name the landscape: hanavault %s %s", cmd, known[0].SID)
}
