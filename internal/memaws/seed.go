package memaws

import (
	"fmt"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Seeded names, exported so tests and the sandbox can refer to them.
const (
	SeedBackupRole      = "hana-backup-ec2"
	SeedKMSAdminRole    = "kms-admin"
	SeedOrgAccessRole   = "OrganizationAccountAccessRole"
	SeedAppServerRole   = "sap-app-server-ec2"
	SeedLambdaRole      = "lambda-basic-execution"
	SeedSupportRole     = "AWSServiceRoleForSupport"
	SeedForeignBucket   = "hana-backup-taken"
	SeedManagementAcct  = "111122223333"
	seedMediaBucketBase = "sap-install-media-"
)

// seedTime is when the seeded resources were "created": well before any
// clock a test injects, so seeded roles are always propagated.
var seedTime = time.Date(2023, 3, 14, 9, 26, 53, 0, time.UTC)

func trustService(svc string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + svc + `"},"Action":"sts:AssumeRole"}]}`
}

func trustAWS(arn string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + arn + `"},"Action":"sts:AssumeRole"}]}`
}

// seedPolicies are the AWS managed policies the seeded roles use.
var seedPolicies = []struct{ path, name, doc string }{
	{"/", "AdministratorAccess", adminPolicy},
	{"/", "ReadOnlyAccess", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","kms:Describe*","kms:Get*","kms:List*","iam:Get*","iam:List*","ec2:Describe*"],"Resource":"*"}]}`},
	{"/", "AmazonSSMManagedInstanceCore", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:DescribeAssociation","ssm:GetDocument","ssm:UpdateInstanceInformation","ssmmessages:*","ec2messages:*"],"Resource":"*"}]}`},
	{"/service-role/", "AWSLambdaBasicExecutionRole", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`},
	{"/aws-service-role/", "AWSSupportServiceRolePolicy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["support:*","iam:Get*","iam:List*","s3:GetBucketPolicy","s3:ListAllMyBuckets"],"Resource":"*"}]}`},
	{"/aws-service-role/", "AWSTrustedAdvisorServiceRolePolicy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["trustedadvisor:*","s3:GetBucketPolicyStatus","s3:ListAllMyBuckets"],"Resource":"*"}]}`},
}

func (w *world) managedArn(path, name string) string {
	return "arn:" + w.st.Partition + ":iam::aws:policy" + path + name
}

// seed fills a new account with realistic resources. Caller owns w.
func (w *world) seed(synthetic int) {
	st := w.st
	p, acct := st.Partition, st.AccountID
	for _, mp := range seedPolicies {
		arn := w.managedArn(mp.path, mp.name)
		st.ManagedPolicies[arn] = &managedPolicy{Name: mp.name, Arn: arn, Document: mp.doc}
	}
	admin := w.managedArn("/", "AdministratorAccess")
	root := cloud.RootARN(p, acct)
	ssoTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:` + p + `:iam::` + acct +
		`:saml-provider/AWSSSO_7c1e2a4f9d0b3e58_DO_NOT_DELETE"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],` +
		`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`

	type seedRole struct {
		name, path, trust, desc string
		attached                []string
		inline                  map[string]string
		profile                 bool
	}
	roles := []seedRole{
		{name: SeedBackupRole, trust: trustService("ec2.amazonaws.com"), desc: "SAP HANA hosts: AWS Backint agent",
			attached: []string{w.managedArn("/", "AmazonSSMManagedInstanceCore")},
			inline: map[string]string{"hana-host-basics": `{"Version":"2012-10-17","Statement":[{"Sid":"DescribeOwnInstance",` +
				`"Effect":"Allow","Action":["ec2:DescribeInstances","ec2:DescribeTags"],"Resource":"*"}]}`},
			profile: true},
		{name: SeedKMSAdminRole, trust: trustAWS(root), desc: "Key administrators", attached: []string{admin}},
		{name: DefaultCallerRole, path: "/aws-reserved/sso.amazonaws.com/", trust: ssoTrust, attached: []string{admin}},
		{name: SeedOrgAccessRole, trust: trustAWS(cloud.RootARN(p, SeedManagementAcct)), attached: []string{admin}},
		{name: SeedAppServerRole, trust: trustService("ec2.amazonaws.com"), desc: "SAP application servers",
			attached: []string{w.managedArn("/", "AmazonSSMManagedInstanceCore")}, profile: true},
		{name: SeedLambdaRole, path: "/service-role/", trust: trustService("lambda.amazonaws.com"),
			attached: []string{w.managedArn("/service-role/", "AWSLambdaBasicExecutionRole")}},
		{name: SeedSupportRole, path: "/aws-service-role/support.amazonaws.com/", trust: trustService("support.amazonaws.com"),
			desc:     "Enables resource access for AWS to provide billing, administrative and support services",
			attached: []string{w.managedArn("/aws-service-role/", "AWSSupportServiceRolePolicy")}},
		{name: "AWSServiceRoleForTrustedAdvisor", path: "/aws-service-role/trustedadvisor.amazonaws.com/",
			trust:    trustService("trustedadvisor.amazonaws.com"),
			attached: []string{w.managedArn("/aws-service-role/", "AWSTrustedAdvisorServiceRolePolicy")}},
		{name: "security-audit", trust: trustAWS(cloud.RootARN(p, SeedManagementAcct)), desc: "Read-only auditors",
			attached: []string{w.managedArn("/", "ReadOnlyAccess")}},
		{name: "hana-dev-ec2", trust: trustService("ec2.amazonaws.com"), desc: "SAP HANA development hosts", profile: true},
		{name: "ci-deploy", trust: trustAWS(root), desc: "Pipeline deployments",
			inline: map[string]string{"deploy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudformation:*"],"Resource":"*"}]}`}},
	}
	for i, sr := range roles {
		path := sr.path
		if path == "" {
			path = "/"
		}
		r := &role{
			Name: sr.name, Path: path, ID: fmt.Sprintf("AROA%s%03d", strings.ToUpper(randomString(upperAlnum, 14)), i),
			Description: sr.desc, Trust: sr.trust, Created: seedTime.Add(time.Duration(i) * time.Hour),
			Attached: sr.attached, Inline: sr.inline,
		}
		st.Roles[lowerName(r.Name)] = r
		if sr.profile {
			st.InstanceProfiles[lowerName(r.Name)] = &instanceProfile{
				Name: r.Name, Path: "/", ID: "AIPA" + randomString(upperAlnum, 17), Created: r.Created, Roles: []string{r.Name},
			}
		}
	}
	w.addSyntheticRoles(synthetic)

	for _, name := range []string{SeedForeignBucket, "hana-backup", "sap-backup", "backup", "logs"} {
		st.ForeignBuckets[name] = "us-east-1"
	}

	// An unrelated customer key with an alias and a media bucket in the home
	// region make the account look lived-in.
	home := defaultHome(p)
	if w.enabledRegion(w.home) {
		home = w.home
	}
	k := &kmsKey{
		ID: newUUID(), Region: home, Description: "EBS volumes of SAP hosts", Manager: keyManagerCustomer,
		Spec: specSymmetric, Usage: usageEncrypt, State: stateEnabled, Policy: w.defaultKeyPolicy(),
		Rotation: true, Created: seedTime,
	}
	st.Keys[k.ID] = k
	w.aliasesIn(home)["alias/sap-ebs"] = &kmsAlias{Name: "alias/sap-ebs", KeyID: k.ID, Created: seedTime}
	w.newBucket(seedMediaBucketBase+acct, home, locationFor(home), seedTime, "")
}

// addSyntheticRoles adds n roles named synthetic-role-NNNNN. Caller owns w.
func (w *world) addSyntheticRoles(n int) {
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("synthetic-role-%05d", i)
		if w.st.Roles[lowerName(name)] != nil {
			continue
		}
		w.st.Roles[lowerName(name)] = &role{
			Name: name, Path: "/synthetic/", ID: "AROA" + randomString(upperAlnum, 17),
			Trust: trustService("ec2.amazonaws.com"), Created: seedTime,
		}
	}
	if n > 0 {
		w.dirty = true
	}
}

// AddSyntheticRoles adds n roles (synthetic-role-00000 …) under path
// /synthetic/, for scale tests of role discovery.
func (a *Account) AddSyntheticRoles(n int) error {
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	a.w.addSyntheticRoles(n)
	return a.w.saveIfDirty()
}

// AddForeignBucket marks a bucket name as owned by another account in
// region: CreateBucket answers BucketAlreadyExists, HeadBucket Forbidden.
func (a *Account) AddForeignBucket(name, region string) error {
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	a.w.st.ForeignBuckets[name] = region
	a.w.dirty = true
	return a.w.saveIfDirty()
}
