package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hanavault/hanavault/internal/report"
)

// BackintOptions are backint's flags.
type BackintOptions struct {
	SID       string
	JSON      bool
	FromTags  bool
	GlobalINI bool
	Policy    bool
}

// NewCmdBackint builds `hanavault backint`.
func NewCmdBackint(f *Factory, g *GlobalOptions, runF func(context.Context, *BackintOptions) error) *cobra.Command {
	opts := &BackintOptions{}
	cmd := &cobra.Command{
		Use:   "backint [SID]",
		Short: "Print the AWS Backint Agent settings for an applied landscape",
		Long: `Print the settings of aws-backint-agent-config.yaml that point the AWS
Backint Agent on the HANA host at the landscape's backup bucket: region,
bucket, folder, owner account and the KMS key ARN, read from AWS. The bucket
policy refuses uploads that ask for aws:kms without naming this key, so the
agent must send S3SseKmsArn. The settings for restoring from the replica in
the other region follow as comments, then an identity policy for the EC2
role for accounts that prefer one.

--global-ini prints the [backup] parameters of global.ini that send data,
log and catalog backups through the agent (and the SQL that sets them);
--policy prints only the identity policy. --json prints all of it.`,
		Example: `  hanavault backint PRD
  hanavault backint PRD --global-ini
  hanavault backint PRD --policy > hana-backint-policy.json
  hanavault backint PRD --json | jq -r .source.kmsKeyArn`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sid, err := sidArg(args)
			if err != nil {
				return err
			}
			opts.SID = sid
			if opts.GlobalINI && opts.Policy {
				return usageErrorf("--global-ini and --policy exclude each other: print one at a time")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return backintRun(cmd.Context(), f, g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the settings as JSON (see docs/json.md)")
	cmd.Flags().BoolVar(&opts.FromTags, "from-tags", false, "find the landscape by its resources' tags instead of the local state")
	cmd.Flags().BoolVar(&opts.GlobalINI, "global-ini", false, "print the global.ini [backup] parameters for Backint instead")
	cmd.Flags().BoolVar(&opts.Policy, "policy", false, "print an identity policy for the EC2 backup role instead")
	return cmd
}

func backintRun(ctx context.Context, f *Factory, g *GlobalOptions, opts *BackintOptions) error {
	s, err := open(ctx, f, g)
	if err != nil {
		return err
	}
	l, err := resolveLandscape(ctx, f.IO, s, "backint", opts.SID, opts.FromTags)
	if err != nil {
		return err
	}
	b, err := s.Engine.Backint(ctx, l)
	if err != nil {
		return fmt.Errorf("read the Backint settings of landscape %s: %w", l.SID, err)
	}
	out := report.RenderBackint(b)
	switch {
	case opts.JSON:
		ini := map[string]string{}
		for _, kv := range report.BackintGlobalINI(b.SID) {
			ini[kv[0]] = kv[1]
		}
		return report.WriteJSON(f.IO.Out, report.BackintJSON{BackintConfig: b, GlobalINI: ini})
	case opts.GlobalINI:
		out = report.RenderBackintGlobalINI(b.SID)
	case opts.Policy:
		out = strings.TrimRight(string(b.IdentityPolicy), "\n") + "\n"
	}
	if _, err := io.WriteString(f.IO.Out, out); err != nil {
		return fmt.Errorf("write Backint settings of %s: %w", l.SID, err)
	}
	return nil
}
