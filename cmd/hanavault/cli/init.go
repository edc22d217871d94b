package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hanavault/hanavault/internal/app"
	"github.com/hanavault/hanavault/internal/spec"
)

// PlaceholderAccount stands in for the account ID in bucket names when
// init cannot read it from AWS.
const PlaceholderAccount = "000000000000"

// InitOptions are init's flags.
type InitOptions struct {
	SID               string
	SourceRegion      string
	ReplicationRegion string
	EC2Role           string
	KMSAdminRole      string
}

// NewCmdInit builds `hanavault init`.
func NewCmdInit(f *Factory, g *GlobalOptions, runF func(context.Context, *InitOptions) error) *cobra.Command {
	opts := &InitOptions{}
	cmd := &cobra.Command{
		Use:   "init --sid SID",
		Short: "Print a commented landscape.yaml with hanavault's defaults",
		Long: `Print a landscape.yaml for one SAP HANA system to standard output: bucket
names and KMS aliases derived from the SID, the account and the regions, and
every option at its default, each explained in a comment.

The account ID comes from AWS (or the sandbox). Without credentials the
file uses the placeholder account ` + PlaceholderAccount + ` and says so on
standard error. The replication region defaults to a nearby partner region
that needs no opt-in (the same country where there is one) for common
source regions; otherwise pass it.`,
		Example: `  hanavault init --sid PRD > landscape.yaml
  hanavault init --sid PRD --source-region eu-central-1 --replication-region eu-west-1 \
      --ec2-role hana-prd-ec2 --kms-admin-role KMSAdmin > landscape.yaml`,
		Args: noArgs("pass the SID with --sid"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireFlag(opts.SID, "--sid", "the HANA system ID, for example --sid PRD"); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return initRun(cmd.Context(), f, g, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.SID, "sid", "", "SAP HANA system ID (three characters, for example PRD)")
	fl.StringVar(&opts.SourceRegion, "source-region", "", "region of the backup bucket (default: --region or the profile's region)")
	fl.StringVar(&opts.ReplicationRegion, "replication-region", "", "region of the replica bucket (default: a partner region of the source)")
	fl.StringVar(&opts.EC2Role, "ec2-role", "", "IAM role (name or ARN) of the HANA hosts, which encrypts and decrypts backups")
	fl.StringVar(&opts.KMSAdminRole, "kms-admin-role", "", "IAM role (name or ARN) that administers the KMS keys")
	return cmd
}

func initRun(ctx context.Context, f *Factory, g *GlobalOptions, opts *InitOptions) error {
	ios := f.IO
	account, region, why := initAccount(ctx, f, g)
	src := strings.TrimSpace(opts.SourceRegion)
	if src == "" {
		src = region
	}
	if src == "" {
		return usageErrorf("--source-region is required: no region is configured (pass --source-region or --region, or set a region in your AWS profile)")
	}
	dst := strings.TrimSpace(opts.ReplicationRegion)
	if dst == "" {
		dst = spec.PartnerRegion(src)
	}
	if dst == "" {
		return usageErrorf("--replication-region is required: hanavault proposes no partner region for %s", src)
	}
	l := spec.Defaults(opts.SID, account, src, dst)
	l.EC2RoleToRunBackup = strings.TrimSpace(opts.EC2Role)
	l.KMSAdminRole = strings.TrimSpace(opts.KMSAdminRole)

	// Errors on what the flags set are usage errors; an empty role is only
	// something left for the user to fill in.
	fromFlags := map[string]string{"sid": "--sid", "sourceRegion": "--source-region", "replicationRegion": "--replication-region"}
	if l.EC2RoleToRunBackup != "" {
		fromFlags["ec2RoleToRunBackup"] = "--ec2-role"
	}
	if l.KMSAdminRole != "" {
		fromFlags["kmsAdminRole"] = "--kms-admin-role"
	}
	var bad, open []string
	var ve spec.ValidationErrors
	if err := l.Validate(); errors.As(err, &ve) {
		for _, fe := range ve {
			if flag, ok := fromFlags[fe.Field]; ok {
				bad = append(bad, flag+": "+fe.Rule)
			} else {
				open = append(open, fe.Field)
			}
		}
	} else if err != nil {
		return fmt.Errorf("validate landscape %s: %w", opts.SID, err)
	}
	if len(bad) > 0 {
		return usageErrorf("%s", strings.Join(bad, "; "))
	}
	if _, err := ios.Out.Write(spec.Marshal(l)); err != nil {
		return fmt.Errorf("write landscape %s: %w", l.SID, err)
	}
	if why != "" {
		fmt.Fprintf(ios.ErrOut, "Could not read the account from AWS (%s), so the bucket names use the placeholder account %s: replace it, or rerun init with working credentials.\n", why, PlaceholderAccount)
	}
	if len(open) > 0 {
		fmt.Fprintf(ios.ErrOut, "Fill in %s before running plan.\n", strings.Join(open, ", "))
	}
	return nil
}

// initAccount reads the account and region from AWS or the sandbox; when
// that fails it returns the placeholder account and why.
func initAccount(ctx context.Context, f *Factory, g *GlobalOptions) (account, region, why string) {
	o := appOptions(f, g)
	s, err := f.Open(ctx, o)
	if err != nil {
		return PlaceholderAccount, g.Region, reason(err, g.Profile)
	}
	id, err := s.Engine.Identity(ctx)
	if err != nil {
		return PlaceholderAccount, s.Region, reason(err, g.Profile)
	}
	return id.Account, s.Region, ""
}

// reason is the hint for err, or err itself.
func reason(err error, profile string) string {
	if h := app.Hint(err, profile); h != "" {
		return strings.TrimSuffix(h, ".")
	}
	return err.Error()
}
