using FreeEnergy.Cli;

return CommandLineApp.Run(args);
