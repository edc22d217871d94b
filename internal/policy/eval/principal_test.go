package eval

import (
	"encoding/json"
	"testing"
)

const (
	acct      = "111122223333"
	other     = "444455556666"
	roleARN   = "arn:aws:iam::111122223333:role/backup"
	pathRole  = "arn:aws:iam::111122223333:role/ops/team/backup"
	otherRole = "arn:aws:iam::111122223333:role/other"
	rootARN   = "arn:aws:iam::111122223333:root"
	session   = "arn:aws:sts::111122223333:assumed-role/backup/i-0abc"
)

var (
	asRole      = Principal{AWS: roleARN}
	asPathRole  = Principal{AWS: pathRole}
	asOtherRole = Principal{AWS: otherRole}
	asRoot      = Principal{AWS: rootARN}
	asSession   = Principal{AWS: session}
	asForeign   = Principal{AWS: "arn:aws:iam::444455556666:role/backup"}
	asCNRole    = Principal{AWS: "arn:aws-cn:iam::111122223333:role/backup"}
	asS3        = Principal{Service: "s3.amazonaws.com"}
	asLogging   = Principal{Service: "logging.s3.amazonaws.com"}
	anonymous   = Principal{}
)

// principalPolicy is a resource policy allowing s3:GetObject to the given
// Principal element (JSON).
func principalPolicy(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"P","Effect":"Allow","Principal":` + principal +
		`,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
}

func TestPrincipalMatching(t *testing.T) {
	all := []Principal{asRole, asPathRole, asOtherRole, asRoot, asSession, asForeign, asCNRole, asS3, asLogging, anonymous}
	cases := []struct {
		principal string
		allowed   []Principal
	}{
		{`"*"`, all},
		{`{"AWS":"*"}`, all},
		{`{"AWS":"arn:aws:iam::111122223333:root"}`, []Principal{asRole, asPathRole, asOtherRole, asRoot, asSession}},
		// A bare account ID carries no partition: it names the account in
		// whatever partition the policy lives in.
		{`{"AWS":"111122223333"}`, []Principal{asRole, asPathRole, asOtherRole, asRoot, asSession, asCNRole}},
		{`{"AWS":"arn:aws-cn:iam::111122223333:root"}`, []Principal{asCNRole}},
		{`{"AWS":"arn:aws:iam::111122223333:role/backup"}`, []Principal{asRole, asSession}},
		{`{"AWS":"arn:aws:iam::111122223333:role/ops/team/backup"}`, []Principal{asPathRole, asSession}},
		{`{"AWS":["arn:aws:iam::111122223333:role/other","arn:aws:iam::444455556666:root"]}`, []Principal{asOtherRole, asForeign}},
		{`{"AWS":"arn:aws:sts::111122223333:assumed-role/backup/i-0abc"}`, []Principal{asSession}},
		{`{"Service":"s3.amazonaws.com"}`, []Principal{asS3}},
		{`{"Service":["logging.s3.amazonaws.com","s3.amazonaws.com"]}`, []Principal{asS3, asLogging}},
		{`{"Federated":"cognito-identity.amazonaws.com"}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.principal, func(t *testing.T) {
			pol := principalPolicy(tc.principal)
			for _, who := range all {
				want := ImplicitDeny
				for _, a := range tc.allowed {
					if a == who {
						want = Allow
					}
				}
				got, err := Evaluate(pol, Request{Principal: who, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, false)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("principal %+v: %s, want %s", who, got, want)
				}
			}
		})
	}
}

func TestPrincipalAccountField(t *testing.T) {
	pol := principalPolicy(`{"AWS":"111122223333"}`)
	// Account alone identifies an identity of the account.
	got, err := Evaluate(pol, Request{Principal: Principal{Account: acct}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, false)
	if err != nil || got != Allow {
		t.Fatalf("Account-only principal: %s %v", got, err)
	}
	// A service principal is not an identity of the account, whatever Account says.
	got, err = Evaluate(pol, Request{Principal: Principal{Service: "s3.amazonaws.com", Account: acct}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, false)
	if err != nil || got != ImplicitDeny {
		t.Fatalf("service principal matched an account: %s %v", got, err)
	}
}

// notPrincipalPolicy denies everything to all but the listed principals and
// allows s3:GetObject to everyone, so the outcome shows whether the deny hit.
func notPrincipalPolicy(t *testing.T, notPrincipal map[string][]string) string {
	t.Helper()
	np, err := json.Marshal(notPrincipal)
	if err != nil {
		t.Fatal(err)
	}
	return `{"Version":"2012-10-17","Statement":[
	  {"Sid":"DenyAllBut","Effect":"Deny","NotPrincipal":` + string(np) + `,"Action":"s3:*","Resource":"*"},
	  {"Sid":"Open","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`
}

func TestNotPrincipal(t *testing.T) {
	cases := []struct {
		name     string
		not      map[string][]string
		who      Principal
		excluded bool
	}{
		{"role and its account listed", map[string][]string{"AWS": {roleARN, rootARN}}, asRole, true},
		{"other role of the account", map[string][]string{"AWS": {roleARN, rootARN}}, asOtherRole, false},
		{"account ID spelling", map[string][]string{"AWS": {roleARN, acct}}, asRole, true},
		// The documented trap: without the account ARN the role is denied too.
		{"role without its account", map[string][]string{"AWS": {roleARN}}, asRole, false},
		{"account alone does not exempt roles", map[string][]string{"AWS": {rootARN}}, asRole, false},
		{"account alone exempts the root", map[string][]string{"AWS": {rootARN}}, asRoot, true},
		{"session needs its session ARN", map[string][]string{"AWS": {roleARN, rootARN}}, asSession, false},
		{"session fully listed", map[string][]string{"AWS": {roleARN, rootARN, session}}, asSession, true},
		{"foreign role", map[string][]string{"AWS": {roleARN, rootARN}}, asForeign, false},
		{"service listed", map[string][]string{"Service": {"s3.amazonaws.com"}}, asS3, true},
		{"other service", map[string][]string{"Service": {"s3.amazonaws.com"}}, asLogging, false},
		{"anonymous", map[string][]string{"AWS": {roleARN, rootARN}}, anonymous, false},
		{"AWS wildcard exempts everyone", map[string][]string{"AWS": {"*"}}, anonymous, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pol := notPrincipalPolicy(t, tc.not)
			r, err := Compile(pol, false)
			if err != nil {
				t.Fatal(err)
			}
			got := r.Evaluate(Request{Principal: tc.who, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"})
			want := ExplicitDeny
			if tc.excluded {
				want = Allow
			}
			if got.Decision != want {
				t.Fatalf("%+v under NotPrincipal %v: %s, want %s", tc.who, tc.not, got, want)
			}
		})
	}
	// NotPrincipal "*" exempts everyone.
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":"*","Action":"s3:*","Resource":"*"}]}`
	if got, err := Evaluate(pol, Request{Principal: anonymous, Action: "s3:GetObject", Resource: "x"}, false); err != nil || got != ImplicitDeny {
		t.Fatalf(`NotPrincipal "*": %s %v`, got, err)
	}
}

func TestNotPrincipalWithAllowIsRejected(t *testing.T) {
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}]}`
	if _, err := Compile(pol, false); err == nil {
		t.Fatal("NotPrincipal with Allow accepted")
	}
}
