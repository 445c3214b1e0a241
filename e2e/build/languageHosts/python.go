package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/proto"
)

// generatePythonPackage writes a package's Python SDK with the code generator of the CLI's own version.
func generatePythonPackage(_ context.Context, request []byte, send func(proto.Message) error) error {
	var req pulumirpc.GeneratePackageRequest
	if err := proto.Unmarshal(request, &req); err != nil {
		return err
	}
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.GetSchema()), &spec); err != nil {
		return fmt.Errorf("the package schema: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	files, err := python.GeneratePackage("pulumi-language-python", pkg, req.GetExtraFiles(), loader)
	if err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(req.GetDirectory(), name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return send(&pulumirpc.GeneratePackageResponse{})
}

// linkPythonPackages adds each generated SDK to the program's requirements.txt, from which the next
// dependency install (the v3.68 host's) puts it into the program's virtual environment.
func linkPythonPackages(_ context.Context, request []byte, send func(proto.Message) error) error {
	var req pulumirpc.LinkRequest
	if err := proto.Unmarshal(request, &req); err != nil {
		return err
	}
	requirementsFile := filepath.Join(req.GetInfo().GetRootDirectory(), "requirements.txt")
	existing, err := os.ReadFile(requirementsFile)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	lines := strings.Split(strings.TrimRight(string(existing), "\n"), "\n")
	var instructions []string
	for _, dependency := range req.GetPackages() {
		line := filepath.ToSlash(dependency.GetPath())
		if !filepath.IsAbs(line) {
			// pip takes a line as a local path only when it looks like one.
			line = "./" + line
		}
		if !contains(lines, line) {
			lines = append(lines, line)
		}
		module := "pulumi_" + strings.ReplaceAll(dependency.GetPackage().GetName(), "-", "_")
		instructions = append(instructions, "import "+module)
	}
	text := strings.TrimLeft(strings.Join(lines, "\n"), "\n") + "\n"
	if err := os.WriteFile(requirementsFile, []byte(text), 0o644); err != nil {
		return err
	}
	return send(&pulumirpc.LinkResponse{ImportInstructions: strings.Join(instructions, "\n")})
}

func contains(lines []string, wanted string) bool {
	for _, line := range lines {
		if strings.TrimSpace(line) == wanted {
			return true
		}
	}
	return false
}
