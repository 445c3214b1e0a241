// Command pulumi-config-check validates stack files the way the Pulumi CLI does before `pulumi up`, with the
// CLI's own code: it loads Pulumi.yaml and each Pulumi.<stack>.yaml, merges the project's declared defaults
// into the stack's config and validates the result. Encrypted values are blinded, so no secrets provider is
// needed. Usage: pulumi-config-check <project dir> <stack>...; prints one JSON object per stack.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	pkgworkspace "github.com/pulumi/pulumi/pkg/v3/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/common/esc"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

type value struct {
	Value  string `json:"value"`
	Secure bool   `json:"secure"`
	Object bool   `json:"object"`
}

type result struct {
	Stack  string           `json:"stack"`
	Error  string           `json:"error,omitempty"`
	Config map[string]value `json:"config,omitempty"`
}

func check(project *workspace.Project, dir, stack string) result {
	projectStack, err := workspace.LoadProjectStack(nil, project, filepath.Join(dir, "Pulumi."+stack+".yaml"))
	if err != nil {
		return result{Stack: stack, Error: err.Error()}
	}
	merged := projectStack.Config
	if merged == nil {
		merged = config.Map{}
	}
	decrypter := config.NewBlindingDecrypter()
	err = pkgworkspace.ValidateStackConfigAndApplyProjectConfig(
		context.Background(), stack, project, esc.Value{}, merged, config.NopEncrypter, decrypter)
	if err != nil {
		return result{Stack: stack, Error: err.Error()}
	}
	values := map[string]value{}
	for key, configValue := range merged {
		text, err := configValue.Value(decrypter)
		if err != nil {
			return result{Stack: stack, Error: err.Error()}
		}
		values[key.String()] = value{Value: text, Secure: configValue.Secure(), Object: configValue.Object()}
	}
	return result{Stack: stack, Config: values}
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-config-check <project dir> <stack>...")
		os.Exit(2)
	}
	dir := os.Args[1]
	project, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "Pulumi.yaml:", err)
		os.Exit(1)
	}
	encoder := json.NewEncoder(os.Stdout)
	for _, stack := range os.Args[2:] {
		if err := encoder.Encode(check(project, dir, stack)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
