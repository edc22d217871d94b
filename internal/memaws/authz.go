package memaws

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy/eval"
)

// adminPolicy is the document of the AdministratorAccess managed policy.
const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// principal is the resolved caller of a request.
type principal struct {
	arn   string // the ARN policies are matched against (role ARN with path)
	role  *role  // nil unless the caller is a role of the account
	admin bool   // implicitly AdministratorAccess (root, or a default caller without a role)
}

// caller resolves the view's principal. Caller holds mu.
func (a *Account) caller() principal {
	w := a.w
	root := cloud.RootARN(w.st.Partition, w.st.AccountID)
	ref := a.principal
	if ref == "" {
		if r := w.roleOfSession(w.callerArn); r != nil {
			return principal{arn: w.roleArn(r), role: r}
		}
		return principal{arn: w.callerArn, admin: true}
	}
	if ref == root || ref == w.st.AccountID {
		return principal{arn: root, admin: true}
	}
	if !strings.HasPrefix(ref, "arn:") {
		if r := w.st.Roles[lowerName(ref)]; r != nil {
			return principal{arn: w.roleArn(r), role: r}
		}
		return principal{arn: cloud.RoleARN(w.st.Partition, w.st.AccountID, "/", ref)}
	}
	if r := w.roleOfSession(ref); r != nil {
		return principal{arn: w.roleArn(r), role: r}
	}
	if r := w.roleByArn(ref); r != nil {
		return principal{arn: ref, role: r}
	}
	return principal{arn: ref}
}

// roleOfSession returns the role behind an assumed-role session ARN.
func (w *world) roleOfSession(arn string) *role {
	a, err := cloud.ParseARN(arn)
	if err != nil || a.Service != "sts" || a.Account != w.st.AccountID || !strings.HasPrefix(a.Resource, "assumed-role/") {
		return nil
	}
	parts := strings.Split(a.Resource, "/")
	if len(parts) != 3 {
		return nil
	}
	return w.st.Roles[lowerName(parts[1])]
}

// roleByArn returns the role a role ARN names (exact path and name).
func (w *world) roleByArn(arn string) *role {
	a, err := cloud.ParseARN(arn)
	if err != nil || a.Service != "iam" || a.Partition != w.st.Partition || a.Account != w.st.AccountID ||
		!strings.HasPrefix(a.Resource, "role/") {
		return nil
	}
	rest := strings.TrimPrefix(a.Resource, "role")
	i := strings.LastIndex(rest, "/")
	path, name := rest[:i+1], rest[i+1:]
	r := w.st.Roles[lowerName(name)]
	if r == nil || r.Path != path || r.Name != name {
		return nil
	}
	return r
}

func (w *world) roleArn(r *role) string {
	return cloud.RoleARN(w.st.Partition, w.st.AccountID, r.Path, r.Name)
}

// identityPolicies returns the identity policies of a principal: a role's
// inline policies (by name) and attached managed policies.
func (w *world) identityPolicies(p principal) []string {
	if p.admin {
		return []string{adminPolicy}
	}
	if p.role == nil {
		return nil
	}
	names := make([]string, 0, len(p.role.Inline))
	for n := range p.role.Inline {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]string, 0, len(names)+len(p.role.Attached))
	for _, n := range names {
		out = append(out, p.role.Inline[n])
	}
	for _, arn := range p.role.Attached {
		if mp := w.st.ManagedPolicies[arn]; mp != nil {
			out = append(out, mp.Document)
		}
	}
	return out
}

// requestContext is the base condition context of a request.
func requestContext(secure bool) map[string][]string {
	return map[string][]string{"aws:SecureTransport": {strconv.FormatBool(secure)}}
}

// authorizeS3 evaluates a request with the principal's identity policies
// and the bucket policy; it returns AccessDenied unless allowed.
func (w *world) authorizeS3(p principal, action, resource, bucketPolicy string, ctx map[string][]string) error {
	req := eval.Request{
		Principal: eval.Principal{AWS: p.arn, Account: w.st.AccountID},
		Action:    action, Resource: resource, Context: ctx,
	}
	r, err := eval.Explain(req, w.identityPolicies(p), bucketPolicy)
	if err != nil {
		return awsErr(cloud.CodeInternalError, 500, "evaluate policies for %s on %s: %v", action, resource, err)
	}
	if r.Decision == eval.Allow {
		return nil
	}
	return awsErr(cloud.CodeAccessDenied, 403, "User: %s is not authorized to perform: %s on resource: %q %s",
		p.arn, action, resource, denyReason(r, action))
}

func denyReason(r eval.Result, action string) string {
	if r.Decision == eval.ExplicitDeny {
		if strings.HasPrefix(r.Policy, "identity") {
			return "with an explicit deny in an identity-based policy"
		}
		return "with an explicit deny in a resource-based policy"
	}
	return "because no identity-based policy allows the " + action + " action"
}

// authorizeKMS evaluates a KMS request against the key policy and the
// principal's identity policies. It returns AccessDeniedException (the KMS
// code) unless allowed; S3 callers translate it.
func (w *world) authorizeKMS(p principal, action string, k *kmsKey, ctx map[string][]string) error {
	if ctx == nil {
		ctx = map[string][]string{}
	}
	ctx["kms:CallerAccount"] = []string{w.st.AccountID}
	req := eval.Request{
		Principal: eval.Principal{AWS: p.arn, Account: w.st.AccountID},
		Action:    action, Resource: w.keyArn(k), Context: ctx,
	}
	r, err := eval.ExplainKMS(req, k.Policy, w.identityPolicies(p), w.st.AccountID)
	if err != nil {
		return awsErr(cloud.CodeInternalError, 500, "evaluate key policy of %s: %v", w.keyArn(k), err)
	}
	if r.Decision == eval.Allow {
		return nil
	}
	return awsErr(cloud.CodeAccessDeniedException, 400, "User: %s is not authorized to perform: %s on resource: %s %s",
		p.arn, action, w.keyArn(k), denyReason(r, action))
}

// ---------------------------------------------------------------- IDs

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	urlSafe    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
)

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}

// newUUID returns a random version 4 UUID, the form of KMS key IDs.
func newUUID() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rand.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
