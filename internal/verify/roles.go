package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy"
	"github.com/hanavault/hanavault/internal/policy/eval"
)

// roleDocs is a role with its live policy documents.
type roleDocs struct {
	name     string
	arn      string
	identity []string // inline and attached managed policies, plain JSON
	boundary string   // the permissions boundary's document, "" when none
	boundArn string
}

// role reads a role and every policy that decides what it may do.
func (v *verifier) role(ctx context.Context, name string) (*roleDocs, error) {
	if name == "" {
		return nil, fmt.Errorf("no role name")
	}
	iam := v.o.Account.IAM()
	r, err := iam.GetRole(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read role %s: %w", name, err)
	}
	rd := &roleDocs{name: r.RoleName, arn: r.Arn, boundArn: r.PermissionsBoundary}
	var names []string
	for marker := ""; ; {
		page, err := iam.ListRolePolicies(ctx, name, marker)
		if err != nil {
			return nil, fmt.Errorf("list inline policies of %s: %w", name, err)
		}
		names = append(names, page.PolicyNames...)
		if !page.IsTruncated {
			break
		}
		marker = page.Marker
	}
	sort.Strings(names)
	for _, n := range names {
		doc, err := iam.GetRolePolicy(ctx, name, n)
		if err != nil {
			return nil, fmt.Errorf("read inline policy %s of %s: %w", n, name, err)
		}
		plain, err := cloud.DecodePolicyDocument(doc)
		if err != nil {
			return nil, err
		}
		rd.identity = append(rd.identity, plain)
	}
	for marker := ""; ; {
		page, err := iam.ListAttachedRolePolicies(ctx, name, marker)
		if err != nil {
			return nil, fmt.Errorf("list managed policies of %s: %w", name, err)
		}
		for _, ap := range page.AttachedPolicies {
			doc, err := v.managedDoc(ctx, ap.PolicyArn)
			if err != nil {
				return nil, err
			}
			rd.identity = append(rd.identity, doc)
		}
		if !page.IsTruncated {
			break
		}
		marker = page.Marker
	}
	if rd.boundArn != "" {
		if rd.boundary, err = v.managedDoc(ctx, rd.boundArn); err != nil {
			return nil, err
		}
	}
	return rd, nil
}

func (v *verifier) managedDoc(ctx context.Context, arn string) (string, error) {
	iam := v.o.Account.IAM()
	ver, err := iam.GetPolicyDefaultVersion(ctx, arn)
	if err != nil {
		return "", fmt.Errorf("read managed policy %s: %w", arn, err)
	}
	doc, err := iam.GetPolicyVersion(ctx, arn, ver)
	if err != nil {
		return "", fmt.Errorf("read managed policy %s version %s: %w", arn, ver, err)
	}
	return cloud.DecodePolicyDocument(doc)
}

// backupRoleS3 asks the IAM policy simulator whether the EC2 backup role
// may do, in each region's bucket, everything the Backint agent does,
// with the live bucket policy as the resource policy. The simulator
// includes the role's identity policies and its permissions boundary.
func (v *verifier) backupRoleS3(ctx context.Context, role *roleDocs) {
	for _, t := range []Target{v.in.Source, v.in.Replica} {
		if ctx.Err() != nil {
			return
		}
		id := "backup-role/s3/" + t.Region
		title := fmt.Sprintf("The EC2 backup role may do what Backint does in %s (IAM policy simulator with the bucket policy)", t.Bucket)
		v.start(id, t.Region, title)
		c := Check{ID: id, Title: title, Region: t.Region, Resource: role.arn}
		denied, err := v.simulate(ctx, role, t)
		switch {
		case err != nil && interrupted(ctx, err):
			return
		case err != nil:
			c.Result, c.Detail = Fail, err.Error()
			c.Cause = "the IAM policy simulator could not be asked: the caller needs iam:SimulatePrincipalPolicy and s3:GetBucketPolicy"
		case len(denied) > 0:
			c.Result, c.Detail = Fail, "denied: "+strings.Join(denied, "; ")
			c.Cause = "the bucket policy lost its grant to the role, or an identity policy or the permissions boundary of the role denies it"
		default:
			c.Result = Pass
			c.Detail = fmt.Sprintf("allowed: %s", strings.Join(append(policy.BackintObjectActions(), policy.BackintBucketActions()...), ", "))
		}
		v.add(c)
	}
}

// simulate runs the simulator for the object and the bucket actions and
// returns the denied ones, each with its decision and deciding policy.
func (v *verifier) simulate(ctx context.Context, role *roleDocs, t Target) ([]string, error) {
	doc, err := v.o.Account.S3(t.Region).GetBucketPolicy(ctx, t.Bucket)
	if err != nil {
		return nil, fmt.Errorf("read the bucket policy of %s: %w", t.Bucket, err)
	}
	bucket := cloud.BucketARN(v.part, t.Bucket)
	entries := []cloud.ContextEntry{
		{Key: "aws:SecureTransport", Type: "boolean", Values: []string{"true"}},
		{Key: policy.KeySSE, Type: "string", Values: []string{cloud.SSEKMS}},
		{Key: policy.KeySSEKMSKeyID, Type: "string", Values: []string{t.KeyARN}},
	}
	var denied []string
	for _, q := range []struct {
		actions  []string
		resource string
	}{
		{policy.BackintObjectActions(), bucket + "/" + v.in.Folder + "/backup"},
		{policy.BackintBucketActions(), bucket},
	} {
		in := cloud.SimulatePrincipalPolicyInput{PolicySourceArn: role.arn, ActionNames: q.actions,
			ResourceArns: []string{q.resource}, ResourcePolicy: doc, ContextEntries: entries}
		for {
			out, err := v.o.Account.IAM().SimulatePrincipalPolicy(ctx, in)
			if err != nil {
				return nil, err
			}
			for _, r := range out.Results {
				if r.Decision == cloud.DecisionAllowed {
					continue
				}
				d := r.Action + " " + r.Decision
				if len(r.MatchedStatements) > 0 {
					d += " by " + strings.Join(r.MatchedStatements, ", ")
				}
				if r.DeniedByBoundary {
					d += " (not allowed by the permissions boundary)"
				}
				denied = append(denied, d)
			}
			if !out.IsTruncated {
				break
			}
			in.Marker = out.Marker
		}
	}
	return denied, nil
}

// kmsNeed is one KMS permission a role needs through S3.
type kmsNeed struct {
	action string
	target Target
	why    string
}

// backupRoleKMS judges with hanavault's evaluator, on the live key
// policies and the role's live policies, whether the EC2 backup role may
// use each region's key through S3 (the IAM simulator does not take KMS
// key policies).
func (v *verifier) backupRoleKMS(ctx context.Context, role *roleDocs) {
	for _, t := range []Target{v.in.Source, v.in.Replica} {
		v.kmsCheck(ctx, "backup-role/kms/"+t.Region, fmt.Sprintf("The EC2 backup role may use the %s key through S3 (key policy, role policies, permissions boundary)", t.Region),
			role, []kmsNeed{
				{"kms:GenerateDataKey", t, "encrypt backups"},
				{"kms:Decrypt", t, "read backups and upload multipart parts"},
			}, "the key policy lost its grant to the EC2 backup role (KeyUsageByBackupRole), or the role's policies deny it: run apply")
	}
}

// replicationRoleKMS checks every KMS permission S3 replication of
// SSE-KMS objects with bucket keys needs from the replication role (S3
// user guide, replication-config-for-kms-objects, including "To use
// replication with an S3 Bucket Key, the AWS KMS key policy for the KMS
// key that's used to encrypt the object replica must include the
// kms:Decrypt permission").
func (v *verifier) replicationRoleKMS(ctx context.Context, role *roleDocs) {
	src, dst := v.in.Source, v.in.Replica
	v.kmsCheck(ctx, "replication-role/kms", "The replication role has every KMS permission replication needs", role, []kmsNeed{
		{"kms:Decrypt", src, "read the source object"},
		{"kms:Encrypt", dst, "encrypt the replica"},
		{"kms:GenerateDataKey", dst, "make the replica's bucket key"},
		{"kms:Decrypt", dst, "verify the replica's bucket key"},
	}, "the replication role's policy or a key policy lacks the named permission: run apply (replication of new backups FAILS until it is fixed)")
}

func (v *verifier) kmsCheck(ctx context.Context, id, title string, role *roleDocs, needs []kmsNeed, cause string) {
	if ctx.Err() != nil {
		return
	}
	v.start(id, "", title)
	c := Check{ID: id, Title: title, Resource: role.arn}
	var missing, granted []string
	for _, n := range needs {
		kp, err := v.o.Account.KMS(n.target.Region).GetKeyPolicy(ctx, n.target.KeyARN)
		if err != nil {
			if interrupted(ctx, err) {
				return
			}
			c.Result, c.Detail, c.Cause = Fail, fmt.Sprintf("read the key policy of %s: %v", n.target.KeyARN, err), "the caller needs kms:GetKeyPolicy"
			v.add(c)
			return
		}
		d, why, err := v.kmsDecision(role, n, kp)
		if err != nil {
			c.Result, c.Detail, c.Cause = Fail, err.Error(), "a policy document could not be evaluated"
			v.add(c)
			return
		}
		name := fmt.Sprintf("%s on the %s key %s (to %s)", n.action, n.target.Region, n.target.KeyARN, n.why)
		if d != eval.Allow {
			missing = append(missing, name+": "+why)
		} else {
			granted = append(granted, n.action+" ("+n.target.Region+")")
		}
	}
	if len(missing) > 0 {
		c.Result, c.Detail, c.Cause = Fail, "missing "+strings.Join(missing, "; "), cause
	} else {
		c.Result, c.Detail = Pass, "granted: "+strings.Join(granted, ", ")
	}
	v.add(c)
}

// kmsDecision evaluates one KMS request S3 makes for the role: through S3
// in the key's region, with the bucket-key encryption context (the bucket
// ARN; hanavault always enables bucket keys). A permissions boundary must
// allow it too (the evaluator does not model boundaries; for a role, an
// implicit deny in its boundary limits every grant, IAM user guide,
// access_policies_boundaries).
func (v *verifier) kmsDecision(role *roleDocs, n kmsNeed, keyPolicy string) (eval.Decision, string, error) {
	a, err := cloud.ParseARN(n.target.KeyARN)
	if err != nil {
		return eval.ImplicitDeny, "", err
	}
	req := eval.Request{
		Principal: eval.Principal{AWS: role.arn, Account: a.Account},
		Action:    n.action, Resource: n.target.KeyARN,
		Context: map[string][]string{
			"aws:SecureTransport":       {"true"},
			policy.KeyViaService:        {"s3." + n.target.Region + "." + cloud.DNSSuffix(v.part)},
			policy.KeyS3Context:         {cloud.BucketARN(v.part, n.target.Bucket)},
			"kms:CallerAccount":         {a.Account},
			"kms:EncryptionContextKeys": {"aws:s3:arn"},
		},
	}
	res, err := eval.ExplainKMS(req, keyPolicy, role.identity, a.Account)
	if err != nil {
		return eval.ImplicitDeny, "", err
	}
	if res.Decision != eval.Allow {
		return res.Decision, res.String(), nil
	}
	if role.boundary != "" {
		bd, err := eval.Evaluate(role.boundary, req, true)
		if err != nil {
			return eval.ImplicitDeny, "", fmt.Errorf("permissions boundary %s: %w", role.boundArn, err)
		}
		if bd != eval.Allow {
			return bd, bd.String() + " by the permissions boundary " + role.boundArn, nil
		}
	}
	return eval.Allow, res.String(), nil
}
