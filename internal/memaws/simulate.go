package memaws

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy/eval"
)

// managedVersion is the only version ID the account keeps per managed
// policy (it never stores older versions).
const managedVersion = "v1"

// simulatePage is the simulator's default page size (MaxItems 100).
const simulatePage = 100

func (w *world) managedPolicy(arn string) (*managedPolicy, error) {
	if mp := w.st.ManagedPolicies[arn]; mp != nil {
		return mp, nil
	}
	return nil, awsErr(cloud.CodeNoSuchEntity, 404, "Policy %s does not exist or is not attachable.", arn)
}

// GetPolicyDefaultVersion is iam:GetPolicy's DefaultVersionId.
func (c iamClient) GetPolicyDefaultVersion(ctx context.Context, policyArn string) (string, error) {
	return call(c.a, ctx, c.ci("GetPolicy", policyArn), func(time.Time) (string, error) {
		if _, err := c.a.w.managedPolicy(policyArn); err != nil {
			return "", err
		}
		return managedVersion, nil
	})
}

// GetPolicyVersion returns the document URL-encoded, as IAM does (IAM API
// reference, GetPolicyVersion: "The policy document returned in this
// structure is URL-encoded compliant with RFC 3986").
func (c iamClient) GetPolicyVersion(ctx context.Context, policyArn, versionID string) (string, error) {
	return call(c.a, ctx, c.ci("GetPolicyVersion", policyArn), func(time.Time) (string, error) {
		mp, err := c.a.w.managedPolicy(policyArn)
		if err != nil {
			return "", err
		}
		if versionID != managedVersion {
			return "", awsErr(cloud.CodeNoSuchEntity, 404, "Policy %s version %s does not exist or is not attachable.", policyArn, versionID)
		}
		return cloud.EncodePolicyDocument(mp.Document), nil
	})
}

// SetPermissionsBoundary sets (or with "" removes) a role's permissions
// boundary, as iam:PutRolePermissionsBoundary does; for tests and the
// sandbox. The policy must be a managed policy of the account.
func (a *Account) SetPermissionsBoundary(roleName, policyArn string) error {
	return a.withManagedPolicy(roleName, policyArn, func(r *role) { r.Boundary = policyArn })
}

// withManagedPolicy changes a role with a managed policy of the account
// ("" allowed for none) and saves the account.
func (a *Account) withManagedPolicy(roleName, policyArn string, change func(r *role)) error {
	w := a.w
	w.mu.Lock()
	defer w.mu.Unlock()
	r, err := w.getRole(roleName)
	if err != nil {
		return err
	}
	if policyArn != "" {
		if _, err := w.managedPolicy(policyArn); err != nil {
			return err
		}
	}
	change(r)
	w.dirty = true
	return w.saveIfDirty()
}

// AddManagedPolicy creates a customer managed policy named name with the
// given document and returns its ARN; for tests and the sandbox.
func (a *Account) AddManagedPolicy(name, document string) (string, error) {
	w := a.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := checkIdentityPolicy(document); err != nil {
		return "", err
	}
	arn := "arn:" + w.st.Partition + ":iam::" + w.st.AccountID + ":policy/" + name
	w.st.ManagedPolicies[arn] = &managedPolicy{Name: name, Arn: arn, Document: document}
	w.dirty = true
	return arn, w.saveIfDirty()
}

// AttachRolePolicy attaches a managed policy to a role, as
// iam:AttachRolePolicy does; for tests and the sandbox.
func (a *Account) AttachRolePolicy(roleName, policyArn string) error {
	if policyArn == "" {
		return awsErr(cloud.CodeInvalidArgument, 400, "PolicyArn is required")
	}
	return a.withManagedPolicy(roleName, policyArn, func(r *role) { r.Attached = append(r.Attached, policyArn) })
}

// SimulatePrincipalPolicy follows the IAM API reference
// (SimulatePrincipalPolicy) and the IAM user guide
// (access_policies_testing-policies): every policy attached to the role,
// its permissions boundary, and the given resource-based policy are
// evaluated for each action on each resource with the context entries;
// the result names the deciding policy and whether the boundary allowed
// the action. Evaluation uses the account's own evaluator
// (internal/policy/eval), so the simulator and the data plane agree. Only
// roles are supported as the policy source, as hanavault only simulates
// the EC2 backup role.
func (c iamClient) SimulatePrincipalPolicy(ctx context.Context, in cloud.SimulatePrincipalPolicyInput) (cloud.SimulatePrincipalPolicyOutput, error) {
	return call(c.a, ctx, c.ci("SimulatePrincipalPolicy", in.PolicySourceArn), func(time.Time) (cloud.SimulatePrincipalPolicyOutput, error) {
		w := c.a.w
		r := w.roleByArn(in.PolicySourceArn)
		if r == nil {
			return cloud.SimulatePrincipalPolicyOutput{}, awsErr(cloud.CodeNoSuchEntity, 404, "PolicySourceArn %s does not name a role of this account.", in.PolicySourceArn)
		}
		if len(in.ActionNames) == 0 {
			return cloud.SimulatePrincipalPolicyOutput{}, awsErr(cloud.CodeIAMValidationError, 400, "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null")
		}
		if in.ResourcePolicy != "" && len(in.ResourceArns) == 0 {
			return cloud.SimulatePrincipalPolicyOutput{}, awsErr("InvalidInput", 400, "ResourceArns must be specified with a ResourcePolicy")
		}
		ctxKeys := map[string][]string{}
		for _, e := range in.ContextEntries {
			ctxKeys[e.Key] = append([]string(nil), e.Values...)
		}
		resources := in.ResourceArns
		if len(resources) == 0 {
			resources = []string{"*"}
		}
		p := principal{arn: w.roleArn(r), role: r}
		ids := w.identityPolicies(p)
		var all []cloud.EvaluationResult
		for _, action := range in.ActionNames {
			for _, res := range resources {
				req := eval.Request{
					Principal: eval.Principal{AWS: p.arn, Account: w.st.AccountID},
					Action:    action, Resource: res, Context: ctxKeys,
				}
				er, err := w.simulateOne(req, ids, in.ResourcePolicy, r)
				if err != nil {
					return cloud.SimulatePrincipalPolicyOutput{}, err
				}
				all = append(all, er)
			}
		}
		start := 0
		if in.Marker != "" {
			n, err := strconv.Atoi(in.Marker)
			if err != nil || n < 0 || n > len(all) {
				return cloud.SimulatePrincipalPolicyOutput{}, iamBadMarker()
			}
			start = n
		}
		end := min(start+simulatePage, len(all))
		out := cloud.SimulatePrincipalPolicyOutput{Results: all[start:end]}
		if end < len(all) {
			out.IsTruncated, out.Marker = true, strconv.Itoa(end)
		}
		return out, nil
	})
}

// simulateOne evaluates one action on one resource. A permissions
// boundary that does not allow an action denies it, also when a resource
// policy grants it to the role's ARN: the IAM user guide
// (access_policies_boundaries, resource-based policies) says grants to a
// role ARN are limited by an implicit deny in the boundary; only grants to
// a role session ARN are not, and hanavault's policies name role ARNs.
func (w *world) simulateOne(req eval.Request, ids []string, resourcePolicy string, r *role) (cloud.EvaluationResult, error) {
	out := cloud.EvaluationResult{Action: req.Action, Resource: req.Resource}
	res, err := eval.Explain(req, ids, resourcePolicy)
	if err != nil {
		return out, awsErr("MalformedPolicyDocument", 400, "%v", err)
	}
	boundaryAllows := true
	if r.Boundary != "" {
		mp := w.st.ManagedPolicies[r.Boundary]
		d := eval.ImplicitDeny
		if mp != nil {
			if d, err = eval.Evaluate(mp.Document, req, true); err != nil {
				return out, awsErr("MalformedPolicyDocument", 400, "permissions boundary: %v", err)
			}
		}
		boundaryAllows = d == eval.Allow
		out.DeniedByBoundary = !boundaryAllows
		if d == eval.ExplicitDeny {
			out.Decision = cloud.DecisionExplicitDeny
			out.MatchedStatements = []string{r.Boundary}
			return out, nil
		}
	}
	switch {
	case res.Decision == eval.ExplicitDeny:
		out.Decision = cloud.DecisionExplicitDeny
	case res.Decision == eval.Allow && boundaryAllows:
		out.Decision = cloud.DecisionAllowed
	default:
		out.Decision = cloud.DecisionImplicitDeny
	}
	if res.Statement >= 0 {
		out.MatchedStatements = []string{w.policySourceID(res.Policy, r)}
	}
	return out, nil
}

// policySourceID names the deciding policy as the simulator does: the
// inline policy's name, the managed policy's ARN, or "ResourcePolicy".
func (w *world) policySourceID(label string, r *role) string {
	if label == "resource policy" {
		return "ResourcePolicy"
	}
	var n int
	if _, err := fmt.Sscanf(strings.TrimPrefix(label, "identity policy "), "%d", &n); err != nil || n < 1 {
		return label
	}
	names := sortedKeys(r.Inline)
	if n <= len(names) {
		return names[n-1]
	}
	if i := n - 1 - len(names); i < len(r.Attached) {
		return r.Attached[i]
	}
	return label
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
