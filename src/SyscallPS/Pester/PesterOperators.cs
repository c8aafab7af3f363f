using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace SyscallPS.Commands;

/// <summary>
/// Registers the Pester 5 assertion <c>Should -HaveSyscall</c> (<see cref="HaveSyscallAssertion"/>) in every runspace that
/// imports SyscallPS, whichever of Pester and SyscallPS comes first.
/// </summary>
/// <remarks>
/// PowerShell has no event for "a module was imported", so on import this watches command lookups
/// (PostCommandLookupAction, chained after any handler already there): the first lookup of one of Pester's own commands
/// (Should, Describe, It ...) from a Pester module that exports Add-ShouldOperator (Pester 5 on) registers the operator with that
/// module, before Should binds its parameters. The check is a few comparisons per lookup, in C#. A Pester imported again
/// (-Force) is a new module and gets the operator again; without Pester nothing happens.
/// </remarks>
public sealed class PesterOperators : IModuleAssemblyInitializer
{
    private static readonly HashSet<string> PesterEntryCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "Should", "Describe", "Context", "It", "BeforeAll", "BeforeDiscovery", "Invoke-Pester", "Get-ShouldOperator",
    };

    // One watcher per runspace: importing SyscallPS again must not chain a second one.
    private static readonly ConditionalWeakTable<Runspace, Watcher> Watchers = [];

    /// <summary>Called by PowerShell when SyscallPS is imported: starts watching for Pester in the importing runspace.</summary>
    public void OnImport()
    {
        var runspace = Runspace.DefaultRunspace;
        if (runspace is null)
        {
            return;
        }

        lock (Watchers)
        {
            if (Watchers.TryGetValue(runspace, out _))
            {
                return;
            }

            // Import-Module is running a pipeline, so the runspace's SessionStateProxy refuses calls; a script run on
            // this (the pipeline's) thread may read $ExecutionContext.
            if (ScriptBlock.Create("$ExecutionContext.InvokeCommand").Invoke().FirstOrDefault()?.BaseObject is CommandInvocationIntrinsics commands)
            {
                Watchers.Add(runspace, new Watcher(commands));
            }
        }
    }

    /// <summary>Watches one runspace's command lookups for Pester.</summary>
    private sealed class Watcher
    {
        private readonly EventHandler<CommandLookupEventArgs>? _previous;
        private PSModuleInfo? _registeredWith;
        private bool _registering;

        internal Watcher(CommandInvocationIntrinsics commands)
        {
            _previous = commands.PostCommandLookupAction;
            commands.PostCommandLookupAction = OnLookup;
        }

        private void OnLookup(object? sender, CommandLookupEventArgs e)
        {
            _previous?.Invoke(sender, e);
            if (_registering || e.Command is not FunctionInfo { Module: { Name: "Pester" } pester })
            {
                return;
            }

            var name = e.CommandName;
            int slash = name.LastIndexOf('\\');
            if (ReferenceEquals(pester, _registeredWith) || !PesterEntryCommands.Contains(slash < 0 ? name : name[(slash + 1)..])
                || !pester.ExportedFunctions.ContainsKey("Add-ShouldOperator"))
            {
                return;
            }

            _registering = true;
            try
            {
                // In Pester's scope, as its own operators are added; a duplicate of the same script is ignored by Pester.
                pester.Invoke(
                    ScriptBlock.Create("param($test) Add-ShouldOperator -Name HaveSyscall -Test $test -SupportsArrayInput"),
                    ScriptBlock.Create(HaveSyscallAssertion.OperatorScript));
            }
            catch (RuntimeException)
            {
                // Pester refused the operator (its limit of 32 operators, or a HaveSyscall of someone else's): Pester
                // itself must go on working, and Should then names -HaveSyscall as an unknown parameter.
            }
            finally
            {
                _registeredWith = pester;
                _registering = false;
            }
        }
    }
}
