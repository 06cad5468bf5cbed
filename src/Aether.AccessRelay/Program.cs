Console.WriteLine("aether-agent");
