package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// PlanOptions are plan's flags.
type PlanOptions struct {
	File string
	JSON bool
}

// NewCmdPlan builds `hanavault plan`.
func NewCmdPlan(f *Factory, g *GlobalOptions, runF func(context.Context, *PlanOptions) error) *cobra.Command {
	opts := &PlanOptions{}
	cmd := &cobra.Command{
		Use:   "plan -f landscape.yaml",
		Short: "Show what apply would create or change, without changing anything",
		Long: `Read the landscape file, check it, read the account and show every step
apply would take: per region and resource, what is created (+), updated (~,
with each setting's current and wanted value) or already in sync (=), then
what the landscape sets up in plain words and the warnings to read first.
Each existing bucket, key, alias and role says whose it is: "created by
this landscape on <date>" (the journal records the call that created it)
or "pre-existing, kept" (adopted, never deleted by destroy). What the
landscape created under names it no longer uses is listed with what it
holds; destroy keeps it unless run with --remove-renamed.

An invalid file exits with status 1 and names each field and rule it
breaks; problems only AWS can see (a bucket name owned by another account,
an alias already in use, a role that does not exist) are reported the same
way. Status 2 is kept for misused flags and arguments.`,
		Example: `  hanavault plan -f landscape.yaml
  hanavault plan -f landscape.yaml --json | jq '.changes[] | select(.action != "in-sync")'`,
		Args: noArgs("pass the landscape file with -f"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireFlag(opts.File, "--file", "-f landscape.yaml, or -f - for standard input"); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return planRun(cmd.Context(), f, g, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.File, "file", "f", "", "landscape file (- for standard input)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the plan as JSON (see docs/json.md)")
	return cmd
}

func planRun(ctx context.Context, f *Factory, g *GlobalOptions, opts *PlanOptions) error {
	l, err := readLandscape(ctx, f.IO, opts.File)
	if err != nil {
		return err
	}
	s, err := open(ctx, f, g)
	if err != nil {
		return err
	}
	noteTornJournal(ctx, f.IO, s.Engine, l.SID)
	p, err := makePlan(ctx, s.Engine, l)
	if err != nil {
		return err
	}
	if opts.JSON {
		return report.WriteJSON(f.IO.Out, p)
	}
	return writePlan(f, p, l)
}

// makePlan runs preflight and plan.
func makePlan(ctx context.Context, eng Engine, l spec.Landscape) (*steps.Plan, error) {
	if err := preflight(ctx, eng, l); err != nil {
		return nil, err
	}
	p, err := eng.Plan(ctx, l)
	if err != nil {
		return nil, fmt.Errorf("plan landscape %s: %w", l.SID, err)
	}
	return p, nil
}

// writePlan renders the plan for people on stdout.
func writePlan(f *Factory, p *steps.Plan, l spec.Landscape) error {
	out := report.RenderPlan(p, l, outTheme(f.IO), f.IO.TerminalWidth())
	if _, err := io.WriteString(f.IO.ColorOut(), out); err != nil {
		return fmt.Errorf("write plan for %s: %w", l.SID, err)
	}
	return nil
}

// pending reports whether a plan has anything to create or update.
func pending(p *steps.Plan) bool {
	n := p.Counts()
	return n[steps.ActionCreate]+n[steps.ActionUpdate] > 0
}
