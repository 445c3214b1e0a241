package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/proto"
)

// runNodejsPlugin runs a plugin written for Node.js (a source-based plugin package, or a policy pack) with the
// runner its own @pulumi/pulumi ships, and streams its output and exit code to the CLI.
func runNodejsPlugin(ctx context.Context, request []byte, send func(proto.Message) error) error {
	var req pulumirpc.RunPluginRequest
	if err := proto.Unmarshal(request, &req); err != nil {
		return err
	}
	program := req.GetProgram() //nolint:staticcheck // the CLI still sets it beside Info
	if info := req.GetInfo(); info != nil {
		program = filepath.Join(info.GetProgramDirectory(), info.GetEntryPoint())
	}
	// A policy pack's runner takes the engine's address before the program; a plugin's takes the program first.
	// A policy pack runs in its own directory, whatever the program's: the policy SDK reads its package.json
	// from the working directory (as the pulumi-analyzer-policy script of older CLIs arranged).
	runner, args, pwd := "run-plugin", append([]string{program}, req.GetArgs()...), req.GetPwd()
	if req.GetKind() == "analyzer" {
		runner, args, pwd = "run-policy-pack", append(append([]string{}, req.GetArgs()...), program), program
	}
	script, err := sdkCommand(program, runner)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	cmd.Dir = pwd
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	var sending sync.Mutex
	relay := func(from io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse, done *sync.WaitGroup) {
		defer done.Done()
		buffer := make([]byte, 32*1024)
		for {
			n, err := from.Read(buffer)
			if n > 0 {
				sending.Lock()
				_ = send(wrap(append([]byte{}, buffer[:n]...)))
				sending.Unlock()
			}
			if err != nil {
				return
			}
		}
	}
	var relays sync.WaitGroup
	relays.Add(2)
	go relay(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	}, &relays)
	go relay(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	}, &relays)
	relays.Wait()
	code := 0
	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return err
		}
		code = exit.ExitCode()
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

// sdkCommand finds a runner of @pulumi/pulumi in the node_modules nearest the program, as Node.js would.
func sdkCommand(program, runner string) (string, error) {
	dir, err := filepath.Abs(program)
	if err != nil {
		return "", err
	}
	for {
		candidate := filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", runner)
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no node_modules/@pulumi/pulumi/cmd/%s above %s: run npm install there", runner, program)
		}
		dir = parent
	}
}

// withoutUnavailablePlugins leaves out of a program's required plugins those this machine cannot have:
// PG_HA_E2E_UNAVAILABLE_PLUGINS names them (random and tls: the Go module proxy refuses their providers, and
// there is no download site). The CLI installs every plugin a plugin package requires before it runs it, and
// would fail on those; the end-to-end stacks give the passwords and a TLS Secret, so neither is ever started.
func withoutUnavailablePlugins(wrapped wrappedCall) handler {
	unavailable := strings.Split(os.Getenv("PG_HA_E2E_UNAVAILABLE_PLUGINS"), ",")
	return func(ctx context.Context, request []byte, send func(proto.Message) error) error {
		answer, err := wrapped(ctx, "GetRequiredPlugins", request)
		if err != nil {
			return err
		}
		var response pulumirpc.GetRequiredPluginsResponse
		if err := proto.Unmarshal(answer, &response); err != nil {
			return err
		}
		kept := response.Plugins[:0]
		for _, plugin := range response.GetPlugins() {
			if !contains(unavailable, plugin.GetName()) {
				kept = append(kept, plugin)
			}
		}
		response.Plugins = kept
		return send(&response)
	}
}
