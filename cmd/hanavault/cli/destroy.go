package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/steps"
)

// DestroyOptions are destroy's flags.
type DestroyOptions struct {
	SID      string
	Confirm  string
	JSON     bool
	FromTags bool
}

// NewCmdDestroy builds `hanavault destroy`.
func NewCmdDestroy(f *Factory, g *GlobalOptions, runF func(context.Context, *DestroyOptions) error) *cobra.Command {
	opts := &DestroyOptions{}
	cmd := &cobra.Command{
		Use:   "destroy [SID]",
		Short: "Remove the landscape from both regions",
		Long: `Show what destroy would remove (resources per region, each bucket's object
versions, delete markers and bytes, the KMS keys and their deletion window),
then remove everything hanavault created in both regions. Buckets that
existed before hanavault are kept with their contents and get their prior
settings back. KMS keys are scheduled for deletion: backups still encrypted
with them become unreadable once the window ends.

On a terminal, destroy asks you to type the SID. Without one, it prints
the preview and requires --confirm SID (exit 2 otherwise).

Ctrl+C (SIGINT) or SIGTERM stops after the calls in flight: run destroy
again to finish (exit 130).`,
		Example: `  hanavault destroy PRD
  hanavault destroy PRD --confirm PRD --json > destroy.ndjson`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.SID = sidArg(args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return destroyRun(cmd.Context(), f, g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Confirm, "confirm", "", "the landscape's SID, to destroy without being asked")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write the preview, events and result to standard output as JSON lines (see docs/json.md)")
	cmd.Flags().BoolVar(&opts.FromTags, "from-tags", false, "find the landscape by its resources' tags instead of the local state")
	return cmd
}

func destroyRun(ctx context.Context, f *Factory, g *GlobalOptions, opts *DestroyOptions) error {
	ios := f.IO
	s, err := open(ctx, f, g)
	if err != nil {
		return err
	}
	l, err := resolveLandscape(ctx, ios, s, "destroy", opts.SID, opts.FromTags)
	if err != nil {
		return err
	}
	if opts.Confirm != "" && opts.Confirm != l.SID {
		return usageErrorf("--confirm %s does not match the landscape's SID %s: nothing was destroyed", opts.Confirm, l.SID)
	}
	d, err := s.Engine.PreviewDestroy(ctx, l)
	if err != nil {
		return fmt.Errorf("preview destroy of landscape %s: %w", l.SID, err)
	}
	if opts.JSON {
		if err := report.WriteJSONLine(ios.Out, report.NewDestroyPreviewLine(d)); err != nil {
			return err
		}
	} else {
		out := report.RenderDestroyPreview(d, outTheme(ios), ios.TerminalWidth())
		if _, err := io.WriteString(ios.ColorOut(), out); err != nil {
			return fmt.Errorf("write destroy preview of %s: %w", l.SID, err)
		}
	}
	if opts.Confirm == "" {
		if !ios.CanPrompt() {
			return usageErrorf("destroy needs a confirmation, but there is no terminal to ask on: rerun with --confirm %s", l.SID)
		}
		question := fmt.Sprintf("\nType the SID (%s) to destroy this landscape in account %s: ", l.SID, d.Identity.Account)
		answer, err := ask(ctx, ios.ErrOut, ios.In, question)
		if err != nil {
			return err
		}
		if answer != l.SID {
			fmt.Fprintf(ios.ErrOut, "Destroy cancelled (you typed %q, not %s): nothing was changed.\n", answer, l.SID)
			return silent(ErrCancelled)
		}
	}
	resume := "hanavault destroy " + l.SID + " --confirm " + l.SID
	if opts.FromTags {
		resume += " --from-tags"
	}
	return runOperation(ctx, f, operation{
		name: "destroy", sid: l.SID, json: opts.JSON, resume: resume,
		run: func(sink steps.Sink) (*steps.Result, error) { return s.Engine.Destroy(ctx, l, sink) },
	})
}
