package cli

import (
	"context"
	"fmt"
	"io"

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

Exit status: 0 when the landscape is ok, 3 when it is not (drift, missing or
half-applied), 1 on errors.`,
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
