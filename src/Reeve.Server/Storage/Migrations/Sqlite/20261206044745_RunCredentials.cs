using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reeve.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RunCredentials : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "flow_run_credentials",
                columns: table => new
                {
                    flow_run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    credentials_id = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_flow_run_credentials", x => new { x.flow_run_id, x.credentials_id });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "flow_run_credentials");
        }
    }
}
