package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/steps"
)

// StatusOptions are status's flags.
type StatusOptions struct {
	SID      string
	JSON     bool
	FromTags bool
}

// NewCmdStatus builds `hanavault status`.
func NewCmdStatus(f *Factory, g *GlobalOptions, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{}
	cmd := &cobra.Command{
		Use:   "status [SID]",
		Short: "Check every resource of a landscape for drift and replication health",
		Long: `Read both regions and report each setting of the landscape as ok, drift
(with the wanted and the actual value) or missing, how replication of recent
backups is doing, and what to do next.

The SID may be left out when exactly one landscape is known locally; with
several, status lists them and exits with status 2. --from-tags finds the
landscape by the tags on its resources when the local state is gone.

A landscape that destroy removed is reported as destroyed, with the date,
its archived journal and its KMS keys' deletion dates and how to cancel them.

Exit status: 0 when the landscape is ok, 3 when it is not (drift, missing or
half-applied), 4 when it was destroyed, 1 on errors.`,
		Example: `  hanavault status
  hanavault status PRD --json
  hanavault status PRD --from-tags`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sid, err := sidArg(args)
			if err != nil {
				return err
			}
			opts.SID = sid
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return statusRun(cmd.Context(), f, g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the status as JSON (see docs/json.md)")
	cmd.Flags().BoolVar(&opts.FromTags, "from-tags", false, "find the landscape by its resources' tags instead of the local state")
	return cmd
}

func statusRun(ctx context.Context, f *Factory, g *GlobalOptions, opts *StatusOptions) error {
	s, err := open(ctx, f, g)
	if err != nil {
		return err
	}
	l, err := resolveLandscape(ctx, f.IO, s, "status", opts.SID, opts.FromTags)
	// A landscape whose destroy finished (with --from-tags: nothing tagged
	// is left) is reported as destroyed.
	if err != nil && opts.SID != "" && (!opts.FromTags && errors.Is(err, steps.ErrUnknownLandscape) || errors.Is(err, steps.ErrAlreadyDestroyed)) {
		if dr, ok := s.Engine.(destroyedReader); ok {
			if d, derr := dr.Destroyed(ctx, opts.SID); derr == nil && d != nil {
				return reportDestroyed(f, g, opts, d)
			}
		}
	}
	if err != nil {
		return err
	}
	st, err := s.Engine.Status(ctx, l)
	if err != nil {
		return fmt.Errorf("status of landscape %s: %w", l.SID, err)
	}
	if opts.JSON {
		if err := report.WriteJSON(f.IO.Out, st); err != nil {
			return err
		}
	} else {
		out := report.RenderStatus(st, outTheme(f.IO), f.IO.TerminalWidth())
		if _, err := io.WriteString(f.IO.ColorOut(), out); err != nil {
			return fmt.Errorf("write status of %s: %w", l.SID, err)
		}
	}
	if st.Overall != steps.OverallOK {
		return &UnhealthyError{SID: st.SID, Overall: st.Overall}
	}
	return nil
}

// destroyedReader is implemented by the engine (*steps.Engine): what the
// archived journal says about a landscape that destroy removed.
type destroyedReader interface {
	Destroyed(ctx context.Context, sid string) (*steps.DestroyedLandscape, error)
}

var _ destroyedReader = (*steps.Engine)(nil)

// reportDestroyed prints a destroyed landscape instead of its status.
func reportDestroyed(f *Factory, g *GlobalOptions, opts *StatusOptions, d *steps.DestroyedLandscape) error {
	if opts.JSON {
		if err := report.WriteJSON(f.IO.Out, d); err != nil {
			return err
		}
		return &DestroyedError{SID: d.SID}
	}
	out := report.RenderDestroyed(d, outTheme(f.IO), f.IO.TerminalWidth())
	out += "\nTo create it again with the same settings:\n" +
		strings.Join(report.CommandLines("hanavault apply -f "+shellQuote(filepath.Join(d.Archive, "landscape.yaml"))+g.hintFlags(), "  ", f.IO.TerminalWidth()), "\n") + "\n"
	if _, err := io.WriteString(f.IO.ColorOut(), out); err != nil {
		return fmt.Errorf("write what is left of %s: %w", d.SID, err)
	}
	return &DestroyedError{SID: d.SID}
}
